# Sourced by the benchmark scripts after they set $work: what a self-host needs outside Development besides its
# storage and keys (the benchmarks run the Release build as in production, not with `dotnet run`'s Development
# profile). Mail goes to a pickup directory in the run's work directory; nothing is sent.
export PublicPage__Url="${PublicPage__Url:-http://127.0.0.1/}"
export Whitelist__LinkSecret="${Whitelist__LinkSecret:-benchmark-link-secret-0123456789abcdefghij}"
export Email__From="${Email__From:-Blocklist <blocklist@bench.test>}"
export Email__PickupDirectory="${Email__PickupDirectory:-$work/mail}"
export Notifications__AdminEmails__0="${Notifications__AdminEmails__0:-postmaster@bench.test}"
