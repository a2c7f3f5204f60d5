import { test } from "node:test";
import assert from "node:assert/strict";
import type { Expr, Instr } from "../../../../server/src/ir/ir";
import { exprText, instrText } from "../cfg-text";
import { findCall, instructionsOf, lowerFunction } from "./lowering";

async function statementsOf(body: string, prelude = ""): Promise<Instr[]> {
  const fn = await lowerFunction(`${prelude}\nvoid f(void) {\n${body}\n}`, "f");
  return instructionsOf(fn);
}

test("calls through an interface table are named by the field", async () => {
  const fn = await lowerFunction("void f(VMBPACKET p) { Kmcl->VmbPacketFree(p); Iface.VmbPacketSend(p, 0); (*fn)(p); (*Kmcl->VmbPacketGetContext)(p); }");
  const arrow = findCall(fn, "VmbPacketFree");
  assert.ok(arrow !== undefined);
  assert.equal(arrow.callee.text, "Kmcl->VmbPacketFree");
  assert.deepEqual(arrow.callee.through && exprText(arrow.callee.through), "Kmcl");
  const dot = findCall(fn, "VmbPacketSend");
  assert.equal(dot?.callee.text, "Iface.VmbPacketSend");
  const pointer = instructionsOf(fn)[2];
  assert.ok(pointer.kind === "eval" && pointer.expr.kind === "call");
  assert.equal(pointer.expr.callee.name, "fn", "calling through a dereferenced pointer calls what it points to");
  assert.equal(pointer.expr.callee.text, "(*fn)");
  const throughTable = findCall(fn, "VmbPacketGetContext");
  assert.equal(throughTable?.callee.through !== undefined && exprText(throughTable.callee.through), "Kmcl");
});

test("literals: NULL, TRUE/FALSE, hex, octal, strings and characters", async () => {
  const instrs = await statementsOf('a = NULL; b = nullptr; c = TRUE; d = FALSE; e = 0x1Fu; g = 010; h = "x" "y"; i = \'A\'; j = 12UL;');
  const values = instrs.map((instr) => (instr.kind === "assign" && instr.value.kind === "const" ? instr.value.value : "not a constant"));
  assert.deepEqual(values, [null, null, 1, 0, 31, 8, "xy", 65, 12]);
});

test("fields, indexes, dereferences and addresses", async () => {
  const instrs = await statementsOf("ctx->Pending[0] = *pp; s.f.g = &x; use(&ctx->Packet);");
  assert.deepEqual(instrs.map(instrText), ["ctx->Pending[0] = *pp", "s.f.g = &x", "use(&ctx->Packet)"]);
  const first = instrs[0];
  assert.ok(first.kind === "assign" && first.target.kind === "index" && first.target.base.kind === "field");
  assert.equal(first.target.base.op, "->");
});

test("casts and parentheses are transparent, also where C's grammar needs the typedefs", async () => {
  const instrs = await statementsOf(
    "p = (VMBPACKET)((PVOID)(q)); (void)Free(p); a = (PVOID)&x; b = (PMY_CONTEXT)*pp; c = (ULONG)-1; d = (MY_T)(y); e = (FLAGS) & m; g = (Fn)(z);",
    "typedef int MY_T;",
  );
  assert.deepEqual(instrs.map(instrText), ["p = q", "Free(p)", "a = &x", "b = *pp", "c = -1", "d = y", "e = (FLAGS & m)", "g = Fn(z)"]);
});

test("compound assignments, increments (stored as i + 1), chained assignments and commas", async () => {
  const instrs = await statementsOf("x += 2; i++; --j; p = q = Alloc(c); a = 1, b = 2; f((g(), h()));");
  assert.deepEqual(instrs.map(instrText), ["x = (x + 2)", "i = (i + 1)", "j = (j - 1)", "p = (q = Alloc(c))", "a = 1", "b = 2", "f((g(), h()))"]);
});

test("sizeof operands are not evaluated; initializer lists and compound literals keep their parts", async () => {
  const instrs = await statementsOf("n = sizeof(*p); VMBPACKET arr[2] = { p, q }; use((S){ .a = r });");
  assert.deepEqual(instrs.map(instrText), ["n = ?()", "arr = ?(p, q)", "use(?(?(r)))"]);
});

test("unary and binary operators keep the IR spelling; && in a value is a binary", async () => {
  const instrs = await statementsOf("a = !p; b = -x; c = ~m; d = (x & F) != 0; e = p && q; h = x << 2 | y;");
  assert.deepEqual(instrs.map(instrText), ["a = !p", "b = -x", "c = ~m", "d = ((x & F) != 0)", "e = (p && q)", "h = ((x << 2) | y)"]);
});

test("a function of the file used as a value is a function reference", async () => {
  const instrs = await statementsOf("VmbPacketSetCompletionRoutine(p, MyCompletion); g = other;", "EVT_VMB_PACKET_COMPLETION_ROUTINE MyCompletion;");
  const call = instrs[0];
  assert.ok(call.kind === "eval" && call.expr.kind === "call");
  const callback: Expr = call.expr.args[1];
  assert.equal(callback.kind, "function-ref");
  assert.equal(instrText(instrs[1]), "g = other");
});

test("declarations: initializer is an assign, a bare declaration is a declare", async () => {
  const instrs = await statementsOf("VMBPACKET p = NULL, q; int arr[4]; PVOID *pp = &p;");
  assert.deepEqual(instrs.map(instrText), ["p = null", "declare q", "declare arr", "pp = &p"]);
  assert.deepEqual(
    instrs.map((instr) => instr.kind === "assign" && instr.declaration === true),
    [true, false, false, true],
  );
});
