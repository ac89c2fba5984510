using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// "serve-dns COUNT_FILE": only the loopback DNS server of the diagnostics load benchmark (benchmarks/diagnostics/run.sh).
if (args is ["serve-dns", var countFile])
{
    await BlocklistApi.Benchmarks.DiagnosticsDnsServer.RunAsync(countFile);
    return;
}

// In process: the benchmarks start their own loopback DNS server, and a generated child project would inherit the
// repository's analyzers and central package versions. ShortRun keeps a run to a few minutes on a shared machine.
var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
