// The test servers of BlocklistApi.Testing (Azurite, rbldnsd, the loopback DNS server) are Linux-only, as is the machine the benchmarks run on.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
