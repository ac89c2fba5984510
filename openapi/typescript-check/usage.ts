// What a TypeScript user of the Blocklist API writes, type-checked (tsc --strict, nothing runs) against the types that
// openapi-typescript generates from openapi/blocklist-api.yaml, with openapi-fetch as the client. A change to the
// document that breaks such code (a field no longer required, an enum that became a plain string, a renamed route or
// parameter) fails `npm run openapi:check`, and so scripts/test.sh.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/blocklist-api";

type Schemas = components["schemas"];

const api = createClient<paths>({
  baseUrl: "http://127.0.0.1:7071",
  headers: { "x-functions-key": "dev-function-key" },
});

// Closed sets are string unions, and a switch over one is exhaustive: a new or renamed value fails here.
function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}

function describeVerdict(verdict: Schemas["Verdict"]): string {
  switch (verdict) {
    case "clean":
      return "not listed";
    case "listed":
      return "refused";
    case "whitelisted":
      return "accepted";
    case "unknown":
      return "no zone answered";
    default:
      return assertNever(verdict);
  }
}

// A 4xx/5xx body is an RFC 9457 problem; a 400 about one field names it in `errors`.
function explain(problem: Schemas["ProblemDetails"]): string {
  const fields = Object.entries(problem.errors ?? {}).map(([field, messages]) => `${field}: ${messages.join(" ")}`);
  return `${problem.status} ${problem.title}: ${problem.detail}${fields.length > 0 ? ` (${fields.join("; ")})` : ""}`;
}

export async function reputation(ip: string): Promise<string> {
  const { data, error } = await api.GET("/v1/reputation/{ip}", { params: { path: { ip } } });
  if (error !== undefined) {
    return explain(error);
  }

  const report: Schemas["ReputationReport"] = data;
  const score: number = report.score;
  const checkedAt: string = report.checkedAt;
  // Always present, possibly null: required and nullable.
  const local: Schemas["LocalListing"] = report.localListing;
  const entry: string = local === null ? "not on our lists" : `${local.list} ${local.range}: ${local.reason}, until ${local.expiresAt ?? "never"}`;
  const zones = report.listings.map((listing: Schemas["ZoneListing"]) => {
    const kind: "block" | "allow" = listing.kind;
    const status: "ok" | "timeout" | "error" | "disabled" = listing.status;
    const source: "dns" | "cache" = listing.source;
    const error: string | null = listing.error;
    const delist: string | null = listing.delistUrl;
    const codes: string[] = listing.codes;
    return `${listing.zone} (${kind}, ${source}, weight ${listing.weight}): ${status} ${listing.listed ? codes.join(",") : "-"} ${error ?? ""} ${delist ?? ""}`;
  });
  return `${report.ip}: ${describeVerdict(report.verdict)} (score ${score}, ${checkedAt}); ${entry}; ${zones.join("; ")}`;
}

export async function greylistCheck(clientAddress: string, sender: string, recipient: string): Promise<string> {
  const body: Schemas["GreylistCheckRequest"] = { clientAddress, sender, recipient, heloName: "mail.example.com" };
  const { data, error, response } = await api.POST("/v1/greylist/check", { body });
  if (error !== undefined) {
    return `${response.status}: ${explain(error)}`;
  }

  const reason: Schemas["GreylistReason"] = data.reason;
  const retryAfterSeconds: number = data.retryAfterSeconds;
  const degraded: boolean = data.degraded;
  switch (data.action) {
    case "accept":
      return `DUNNO (${reason}${degraded ? ", degraded" : ""})`;
    case "defer":
    case "reject": {
      // Postfix's policy protocol wants the reply text; the API sends it for defer and reject, null for accept.
      const reply: string | null = data.smtpReply;
      return `action=${reply ?? `451 4.7.1 retry in ${retryAfterSeconds} s`}`;
    }
    default:
      return assertNever(data.action);
  }
}

export async function spf(ip: string, sender: string, helo?: string): Promise<string> {
  const query: NonNullable<paths["/v1/spf"]["get"]["parameters"]["query"]> = helo === undefined ? { ip, sender } : { ip, sender, helo };
  const { data, error } = await api.GET("/v1/spf", { params: { query } });
  if (error !== undefined) {
    return explain(error);
  }

  const identity: "mailfrom" | "helo" = data.identity;
  const lookups: number = data.dnsLookups;
  const mechanism: string | null = data.mechanism;
  switch (data.result) {
    case "pass":
    case "neutral":
    case "none":
    case "softfail":
      return `${data.result} for ${identity} ${data.domain} (${mechanism ?? "default"}, ${lookups} lookups)`;
    case "fail":
      return `fail: ${data.explanation ?? ""}`;
    case "temperror":
    case "permerror":
      return `${data.result}: ${data.error ?? ""}`;
    default:
      return assertNever(data.result);
  }
}

export async function diagnostics(ip: string, sender: string): Promise<string[]> {
  // Anonymous: no key needed, but a client may keep sending it.
  const { data, error, response } = await api.GET("/v1/diagnostics/{ip}", { params: { path: { ip }, query: { sender, helo: "mail.example.com" } } });
  if (error !== undefined) {
    const retryAfter = response.status === 429 ? response.headers.get("Retry-After") : null;
    return [explain(error) + (retryAfter === null ? "" : ` (retry in ${retryAfter} s)`)];
  }

  return data.checks.map((check: Schemas["DiagnosticCheck"]) => {
    const status: "pass" | "warn" | "fail" | "error" = check.status;
    const advice: string | null = check.advice;
    const data: { [key: string]: unknown } | null = check.data;
    return `${label(check.name)}: ${status} ${check.detail} ${advice ?? ""} ${data === null ? "" : Object.keys(data).join(",")}`;
  });
}

function label(name: Schemas["DiagnosticCheckName"]): string {
  switch (name) {
    case "rdns":
      return "Reverse DNS";
    case "fcrdns":
      return "Forward-confirmed reverse DNS";
    case "helo":
      return "HELO name";
    case "banner":
      return "SMTP banner";
    case "spf":
      return "SPF";
    case "ttl":
      return "DNS TTLs";
    case "mx":
      return "MX records";
    case "same-ip":
      return "Sends from its MX address";
    case "listings":
      return "Blocklists";
    default:
      return assertNever(name);
  }
}

export async function publicPage(): Promise<string> {
  const { data, response } = await api.GET("/", { parseAs: "text" });
  return `${response.headers.get("Content-Security-Policy") ?? ""}\n${data ?? ""}`;
}

export async function stats(adminKey: string): Promise<number> {
  const { data } = await api.GET("/v1/greylist/stats", { headers: { "x-functions-key": adminKey } });
  const checks: Schemas["GreylistCheckCounts"] | undefined = data?.checks;
  return (checks?.new ?? 0) + (checks?.["too-early"] ?? 0);
}

function describeWhitelistStatus(status: Schemas["WhitelistStatus"]): string {
  switch (status) {
    case "pending-confirmation":
      return "check your mailbox for the confirmation link";
    case "pending":
      return "waiting for our postmaster";
    case "approved":
      return "approved";
    case "denied":
      return "denied";
    case "expired":
      return "never confirmed; send it again";
    default:
      return assertNever(status);
  }
}

// The public page's form, as a script would send it: 202 with the id, or 409 naming the request already open.
export async function requestWhitelisting(ip: string, recipient: string): Promise<string> {
  const body: Schemas["WhitelistRequestSubmission"] = {
    email: "postmaster@example.com",
    name: null,
    ip,
    senderDomain: "example.com",
    recipient,
    reason: "Our ISP cannot get its range delisted and our old server cannot retry.",
  };
  const { data, error, response } = await api.POST("/v1/whitelist-requests", { body });
  if (error !== undefined) {
    const open: string | undefined = "requestId" in error ? String(error.requestId) : undefined;
    return `${response.status}: ${explain(error)}${open === undefined ? "" : ` (open request ${open})`}`;
  }

  const state: Schemas["WhitelistRequestState"] = data;
  return `${state.id}: ${describeWhitelistStatus(state.status)}`;
}

// An admin approving for the recipient's whole domain with a key; a link's token goes in `token` instead.
export async function approveForDomain(id: string, adminKey: string): Promise<string> {
  const body: Schemas["WhitelistDecisionRequest"] = { note: "Until the ISP fixes its listing.", scope: "domain" };
  const { data, error } = await api.POST("/v1/whitelist-requests/{id}/approve", {
    params: { path: { id } },
    headers: { "x-functions-key": adminKey },
    body,
  });
  return error !== undefined ? explain(error) : `${data.id}: ${describeWhitelistStatus(data.status)}`;
}

// A mail server asking on behalf of one recipient: an approved whitelist request for it makes the verdict whitelisted.
export async function reputationFor(ip: string, recipient: string, sender: string): Promise<Schemas["Verdict"] | undefined> {
  const { data } = await api.GET("/v1/reputation/{ip}", { params: { path: { ip }, query: { recipient, sender } } });
  return data?.verdict;
}
