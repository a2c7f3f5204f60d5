// SARIF 2.1.0 output: for GitHub code scanning, Azure DevOps and the SARIF multitool.
// It must validate with `sarif-multitool validate` without errors or warnings (a test checks).
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Finding, PathStep, Severity } from "../analysis/findings";
import { ruleDocsBase, rules, type RuleDef } from "../analysis/rules";
import type { Config } from "../config/config";
import type { SourceRange } from "../ir/ir";
import { fingerprintKey } from "./baseline";
import type { Report, ReportProblem } from "./report";
import { isInsideRoot, portablePath } from "./reportPaths";

export const sarifSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
const sourceRootId = "SRCROOT";
const informationUri = ruleDocsBase.replace(/\/blob\/.*$/, "");

type SarifLevel = "error" | "warning" | "note";

const levelOf: Record<Severity, SarifLevel> = { error: "error", warning: "warning", information: "note" };

/** SARIF asks plain-text messages to be whole sentences ending with a period. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function languageOf(file: string): string {
  switch (path.extname(file).toLowerCase()) {
    case ".c":
    case ".h":
      return "c";
    case ".cpp":
      return "cplusplus";
    case ".ts":
    case ".tsx":
      return "typescript";
    default:
      return "javascript";
  }
}

/** A relative URI reference: each path segment percent-encoded. */
function relativeUri(relativePath: string): string {
  return relativePath.split("/").map(encodeURIComponent).join("/");
}

class ArtifactTable {
  readonly artifacts: { location: { uri: string; uriBaseId?: string }; sourceLanguage: string; roles: string[] }[] = [];
  private readonly indexByPath = new Map<string, number>();

  constructor(private readonly root: string) {}

  /** The artifactLocation for `file`, adding the file to `artifacts` on first sight. */
  location(file: string): { uri: string; uriBaseId?: string; index: number } {
    const key = portablePath(file, this.root);
    let index = this.indexByPath.get(key);
    if (index === undefined) {
      index = this.artifacts.length;
      this.indexByPath.set(key, index);
      const location = isInsideRoot(file, this.root)
        ? { uri: relativeUri(key), uriBaseId: sourceRootId }
        : { uri: pathToFileURL(path.resolve(this.root, file)).href };
      this.artifacts.push({ location, sourceLanguage: languageOf(file), roles: ["analysisTarget"] });
    }
    return { ...this.artifacts[index].location, index };
  }
}

function region(range: SourceRange): Record<string, number> {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.column + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.column + 1,
  };
}

function physicalLocation(artifacts: ArtifactTable, file: string, range: SourceRange | undefined): Record<string, unknown> {
  return range === undefined
    ? { artifactLocation: artifacts.location(file) }
    : { artifactLocation: artifacts.location(file), region: region(range) };
}

const importanceOf: Record<PathStep["kind"], "essential" | "important" | "unimportant"> = {
  acquire: "essential",
  release: "essential",
  transfer: "essential",
  use: "essential",
  exit: "essential",
  escape: "important",
  branch: "important",
  call: "important",
  note: "unimportant",
};

/** SARIF's suggested threadFlowLocation kinds (3.38.8). */
const flowKindsOf: Record<PathStep["kind"], string[]> = {
  acquire: ["acquire", "resource"],
  release: ["release", "resource"],
  transfer: ["call", "resource"],
  use: ["resource"],
  exit: ["exit"],
  escape: ["resource"],
  branch: ["branch"],
  call: ["call"],
  note: [],
};

function ruleDescriptor(rule: RuleDef): Record<string, unknown> {
  const helpUri = `${ruleDocsBase}#${rule.id}`;
  return {
    id: rule.id,
    ...(rule.formerIds === undefined ? {} : { deprecatedIds: [...rule.formerIds] }),
    name: rule.name,
    shortDescription: { text: sentence(rule.short) },
    fullDescription: { text: sentence(`${rule.short} ${rule.help}`) },
    help: {
      text: sentence(rule.help),
      markdown: `${sentence(rule.help)}\n\nSee [${rule.id}](${helpUri}).`,
    },
    helpUri,
    defaultConfiguration: { level: levelOf[rule.defaultSeverity] },
    properties: {
      tags: ["correctness", "reliability", "vmbus"],
      precision: "high",
    },
  };
}

function resultOf(finding: Finding, artifacts: ArtifactTable, ruleIndex: ReadonlyMap<string, number>): Record<string, unknown> {
  const location: Record<string, unknown> = {
    physicalLocation: physicalLocation(artifacts, finding.file, finding.range),
  };
  if (finding.functionName !== "") {
    location.logicalLocations = [{ name: finding.functionName, kind: "function" }];
  }
  const result: Record<string, unknown> = {
    ruleId: finding.ruleId,
    level: levelOf[finding.severity],
    message: { text: sentence(finding.message) },
    locations: [location],
    partialFingerprints: { [fingerprintKey]: finding.fingerprint },
  };
  // Which resource: one rule id (`leak`) serves every family.
  if (finding.family !== undefined) result.properties = { family: finding.family };
  const index = ruleIndex.get(finding.ruleId);
  if (index !== undefined) result.ruleIndex = index;
  if (finding.path.length > 0) {
    result.codeFlows = [
      {
        threadFlows: [
          {
            locations: finding.path.map((step) => {
              const kinds = flowKindsOf[step.kind];
              return {
                location: { physicalLocation: physicalLocation(artifacts, step.file, step.range), message: { text: sentence(step.message) } },
                importance: importanceOf[step.kind],
                ...(kinds.length > 0 ? { kinds } : {}),
              };
            }),
          },
        ],
      },
    ];
  }
  return result;
}

function notificationOf(problem: ReportProblem, artifacts: ArtifactTable): Record<string, unknown> {
  return {
    level: problem.severity,
    message: { text: sentence(problem.message) },
    locations: [{ physicalLocation: physicalLocation(artifacts, problem.file, problem.range) }],
  };
}

/** The configuration's rule settings, as SARIF records them: overrides of the rules' default configuration. */
function ruleOverrides(config: Config, ruleIndex: ReadonlyMap<string, number>): Record<string, unknown>[] {
  return Object.entries(config.rules)
    .filter(([id]) => ruleIndex.has(id))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, setting]) => ({
      descriptor: { id, index: ruleIndex.get(id) },
      configuration: setting === "off" ? { enabled: false } : { level: levelOf[setting] },
    }));
}

export function buildSarif(report: Report, config: Config, toolVersion: string): Record<string, unknown> {
  const artifacts = new ArtifactTable(report.root);
  // Every file read is an artifact, in report order, so indexes do not depend on which files have findings.
  for (const file of report.files) artifacts.location(file);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results = report.findings.map((finding) => resultOf(finding, artifacts, ruleIndex));
  const notifications = report.problems.map((problem) => notificationOf(problem, artifacts));
  const overrides = ruleOverrides(config, ruleIndex);
  const invocation: Record<string, unknown> = { executionSuccessful: (report.missingPaths ?? []).length === 0 };
  if (notifications.length > 0) invocation.toolExecutionNotifications = notifications;
  if (overrides.length > 0) invocation.ruleConfigurationOverrides = overrides;
  return {
    $schema: sarifSchemaUri,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "VmbGuard",
            version: toolVersion,
            semanticVersion: toolVersion,
            informationUri,
            rules: rules.map(ruleDescriptor),
          },
        },
        invocations: [invocation],
        originalUriBaseIds: {
          [sourceRootId]: { uri: `${pathToFileURL(report.root).href.replace(/\/?$/, "/")}` },
        },
        artifacts: artifacts.artifacts,
        results,
        columnKind: "utf16CodeUnits",
      },
    ],
  };
}

export function formatSarif(report: Report, config: Config, toolVersion: string): string {
  return `${JSON.stringify(buildSarif(report, config, toolVersion), null, 2)}\n`;
}
