// Rule metadata (RULES.md). Rules are reported by the engine from typestate facts;
// this table gives each id its default severity and its help text.
import type { Severity } from "./findings";

export interface RuleDef {
  id: string;
  /** Ids the rule had before, still accepted in suppressions, configuration, `--rule` and baselines. */
  formerIds?: readonly string[];
  defaultSeverity: Severity;
  name: string;
  short: string;
  help: string;
}

export const rules: readonly RuleDef[] = [
  {
    id: "leak",
    // Named for packets when packets were the only family; a pool allocation's leak is no packet leak.
    formerIds: ["packet-leak"],
    defaultSeverity: "error",
    name: "ResourceLeak",
    short: "A resource is still owned when the function exits or its last handle is overwritten.",
    help: "Every resource must be released exactly once by its family's release (the message names the family and the release): a VMBPACKET from VmbPacketAllocate by VmbPacketFree, or by the default completion routine after a successful VmbPacketSend; pool memory by ExFreePool. Release it on every path that does not hand it over (including error paths after a failed send).",
  },
  {
    id: "double-free",
    defaultSeverity: "error",
    name: "DoubleFree",
    short: "A resource is released on a path where it is already released.",
    help: "Release each handle exactly once. After VmbPacketFree the handle is dangling: set it to NULL or leave the path.",
  },
  {
    id: "use-after-free",
    defaultSeverity: "error",
    name: "UseAfterFree",
    short: "A released resource is used.",
    help: "After VmbPacketFree a packet must not be sent, read, configured or freed again.",
  },
  {
    id: "free-in-flight",
    defaultSeverity: "warning",
    name: "FreeInFlight",
    short: "A resource is released after it was successfully transferred (sent).",
    help: "After VmbPacketSend succeeds with the default completion routine, the packet belongs to the library, which frees it when the completion runs. Free it only when the send fails.",
  },
  {
    id: "completion-leak",
    defaultSeverity: "error",
    name: "CompletionLeak",
    short: "An incoming packet is neither completed nor stored for later.",
    help: "Every packet delivered to EvtVmbChannelProcessPacket must be completed with VmbChannelPacketComplete, now or later (store the completion to complete it later).",
  },
  {
    id: "double-completion",
    defaultSeverity: "error",
    name: "DoubleCompletion",
    short: "The same incoming packet is completed twice.",
    help: "Complete each VMBPACKETCOMPLETION exactly once.",
  },
  {
    id: "free-unowned",
    defaultSeverity: "error",
    name: "FreeUnowned",
    short: "A release of something the family did not allocate.",
    help: "VmbPacketFree only frees packets from VmbPacketAllocate: not packets built by VmbPacketInitialize in caller memory, not completions, not handles of another family.",
  },
  {
    id: "unchecked-allocation",
    defaultSeverity: "warning",
    name: "UncheckedAllocation",
    short: "The result of an allocator that may return NULL is used before a null check.",
    help: "VmbPacketAllocate returns NULL when the lookaside list is exhausted. Check the result before using it.",
  },
  {
    id: "analysis-incomplete",
    defaultSeverity: "information",
    name: "AnalysisIncomplete",
    short: "A function exceeded the analysis budget; findings for it may be missing.",
    help: "Raise the budget in vmbguard.json (budget.maxStates, budget.maxMillis) or split the function.",
  },
  {
    id: "unused-suppression",
    defaultSeverity: "information",
    name: "UnusedSuppression",
    short: "A vmbguard-disable comment suppresses nothing.",
    help: "Remove the suppression comment: no finding of that rule is reported on its line.",
  },
];

export const ruleById: ReadonlyMap<string, RuleDef> = new Map(rules.map((rule) => [rule.id, rule]));

const ruleByFormerId: ReadonlyMap<string, RuleDef> = new Map(rules.flatMap((rule) => (rule.formerIds ?? []).map((id) => [id, rule] as const)));

/** The rule an id names, current or former. */
export function ruleNamed(id: string): RuleDef | undefined {
  return ruleById.get(id) ?? ruleByFormerId.get(id);
}

/** The current id for a current or former one; an unknown id is returned as given. */
export function currentRuleId(id: string): string {
  return ruleNamed(id)?.id ?? id;
}

/** Every id a user may write: the current ones, then the former ones. */
export const acceptedRuleIds: readonly string[] = [...rules.map((rule) => rule.id), ...ruleByFormerId.keys()];

export const ruleDocsBase = "https://github.com/vmbguard/vmbguard/blob/main/docs/rules.md";
