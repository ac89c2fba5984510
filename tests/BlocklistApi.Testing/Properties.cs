// The integration tests start Linux programs (rbldnsd, node/Azurite, chromium) and set Unix file modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
