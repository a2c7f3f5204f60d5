// The language server's project reuses the analysis of the functions an edit did not affect
// (analysis/functionResultCache.ts), and its checks still report what a check from scratch does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { checkSources, type CheckResult } from "../../../server/src/analysis/check";
import { defaultConfig } from "../../../server/src/config/config";
import { Project } from "../../../server/src/lsp/project";

const wrapper = `
VOID ReleasePacket(VMBPACKET Packet)
{
    VmbPacketFree(Packet);
}
`;

const caller = `
VOID SendOne(VMBCHANNEL Channel)
{
    VMBPACKET packet = VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return;
    }
    ReleasePacket(packet);
}

VOID FreeTwice(VMBCHANNEL Channel)
{
    VMBPACKET packet = VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return;
    }
    VmbPacketFree(packet);
    VmbPacketFree(packet);
}
`;

function comparable(result: CheckResult): unknown {
  return { findings: result.findings, problems: result.problems };
}

test("an edit re-analyzes only what it affects: moved functions are reused, the callers of a changed summary are not", async () => {
  const root = mkdtempSync(path.join(tmpdir(), "vmbguard-reuse-"));
  const files = { wrapper: path.join(root, "wrapper.c"), caller: path.join(root, "caller.c") };
  writeFileSync(files.wrapper, wrapper);
  writeFileSync(files.caller, caller);
  const config = defaultConfig();
  const project = new Project(root, { config, patternBase: root });
  await project.index(new AbortController().signal);
  const checkAgainstFresh = async (texts: { wrapper: string; caller: string }) => {
    project.setEditorText(files.wrapper, texts.wrapper);
    project.setEditorText(files.caller, texts.caller);
    const checked = await project.check(new AbortController().signal);
    const fresh = await checkSources([{ path: files.caller, text: texts.caller }, { path: files.wrapper, text: texts.wrapper }], config, { root });
    assert.deepStrictEqual(comparable(checked.result), comparable(fresh));
    return checked;
  };

  const first = await checkAgainstFresh({ wrapper, caller });
  assert.deepEqual(first.reuse, { reused: 0, analyzed: 3 });
  assert.deepEqual(first.result.findings.map((finding) => finding.ruleId), ["double-free"]);

  // Lines inserted above both callers: nothing to analyze again, the double free moves with its function.
  const moved = await checkAgainstFresh({ wrapper, caller: `\n\n\n${caller}` });
  assert.deepEqual(moved.reuse, { reused: 3, analyzed: 0 });
  assert.equal(moved.result.findings[0].range.start.line, first.result.findings[0].range.start.line + 3);

  // The wrapper no longer frees: its summary changes, so its caller is analyzed again and now leaks; FreeTwice is not.
  const changed = await checkAgainstFresh({ wrapper: wrapper.replace("VmbPacketFree(Packet);", "// VmbPacketFree(Packet);"), caller: `\n\n\n${caller}` });
  assert.deepEqual(changed.reuse, { reused: 1, analyzed: 2 });
  assert.deepEqual(changed.result.findings.map((finding) => finding.ruleId).sort(), ["double-free", "leak"]);
});
