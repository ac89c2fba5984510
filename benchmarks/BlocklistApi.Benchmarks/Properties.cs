// The loopback servers of BlocklistApi.Testing are Linux-only, as are the machines the benchmarks run on.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
