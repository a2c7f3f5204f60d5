// Parse rate and lowering on generated C++ driver code: seeded files that mix the constructs of
// real KMDF-style C++ (classes with members, constructors and destructors, methods in and out of
// the class, namespaces, templates, lambdas, new and delete, range-for, try/catch, if-init, casts,
// SAL on methods, WPP tracing, COM and ATL declaration macros, MIDL annotations) must parse without a syntax problem, lower every function, and
// report exactly the double frees seeded into some of them, on their lines.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSources } from "../../../../server/src/analysis/check";
import { defaultConfig } from "../../../../server/src/config/config";
import { lowerFile } from "../../../../server/src/frontends";
import { seededRandom } from "../../analysis/seeded-random";

/** Statements that keep `packet` alive and owned (each followed by the function's own free). */
const STATEMENTS = [
  "for (auto& item : m_items) {\n        Process(item);\n    }",
  "if (auto count = m_items.size(); count > 4) {\n        Trim(count);\n    }",
  "try {\n        Serialize(VmbPacketGetContext(packet));\n    } catch (const std::exception& error) {\n        Log(error.what());\n    } catch (...) {\n        m_failures++;\n    }",
  "auto size = static_cast<ULONG>(m_size);\n    m_size = size + reinterpret_cast<ULONG_PTR>(this) % 2;",
  "std::unique_ptr<Widget> holder = std::make_unique<Widget>(3);\n    holder->Touch();",
  "const auto& first = m_items[0];\n    Process(first);",
  "auto scale = [this](ULONG value) { return value * m_size; };\n    m_size = scale(2);",
  "Widget* widget = new (NonPagedPoolNx, 'tdiW') Widget(1);\n    if (widget != nullptr) {\n        delete widget;\n    }",
  "int* numbers = new int[8];\n    numbers[0] = 1;\n    delete[] numbers;",
  "switch (static_cast<Color>(m_mode)) {\n    case Color::Red:\n        m_count++;\n        break;\n    default:\n        break;\n    }",
  "this->m_size = (nullptr == packet) ? 0 : 1;",
  "vmb::detail::Helper::Touch(reinterpret_cast<PVOID>(packet));",
  "_Analysis_assume_(packet != nullptr);\n    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, \"%!FUNC! sending %d\", m_count);",
  "for (ULONG index = 0; index < kLimit; ++index) {\n        m_count += index;\n    }",
  "Holder<ULONG> holder(m_count);\n    m_count = holder.Get();",
  "if (m_mode == 0) {\n        return STATUS_SUCCESS == m_status ? STATUS_DEVICE_NOT_READY : m_status;\n    }",
  "Widget** widgets = new (PagedPool, 'stgW') Widget *[4];\n    delete[] widgets;",
];

interface GeneratedFile {
  name: string;
  text: string;
  functions: string[];
  doubleFrees: number[];
}

function generateFile(index: number, random: () => number): GeneratedFile {
  const className = `Sender${index}`;
  const lines: string[] = [];
  const functions: string[] = [];
  const doubleFrees: number[] = [];
  const push = (text: string): void => {
    lines.push(...text.split("\n"));
  };
  push(`// Generated C++ driver file ${index}.
#include <ntddk.h>
#include <wdf.h>
#include "trace.h"
#include "driver${index}.tmh"

namespace vmb { namespace detail {
class Helper {
public:
    static void Touch(_In_opt_ PVOID Pointer);
};
} }

interface __declspec(uuid("{931D7B9C-11FB-45B6-97DA-47894D597F3${index % 10}}")) IPing${index} : public IUnknown
{
    STDMETHOD(Ping)(__RPC__in REFGUID Key) = 0;
    STDMETHOD_(ULONG, Count)() = 0;
};

DECLARE_INTERFACE_(IKsControl${index}, IUnknown)
{
    STDMETHOD(KsProperty)(THIS_
        IN PKSPROPERTY Property,
        IN ULONG PropertyLength
    ) PURE;
    STDMETHOD_(ULONG, Release)(THIS) PURE;
};

class ATL_NO_VTABLE CModule${index} : public CAtlDllModuleT< CModule${index} >
{
public:
    DECLARE_LIBID(LIBID_Module${index})
    DECLARE_REGISTRY_APPID_RESOURCEID(IDR_MODULE, "{0A21D954-674A-4C09-806E-DB4FBE8F199C}")
    STDMETHODIMP_(ULONG) AddRef() { return ++m_refs; }

private:
    ULONG m_refs;
};

enum class Color : UINT8 { Red, Green, Blue };
static constexpr ULONG kLimit = 16;
using PacketList = std::vector<VMBPACKET>;

template <typename T>
class Holder {
public:
    explicit Holder(T value) : m_value(value) {}
    T Get() const { return m_value; }

private:
    T m_value;
};

class Widget {
public:
    explicit Widget(int weight) : m_weight(weight) {}
    void Touch() { m_weight++; }

private:
    int m_weight;
};

class ${className} final : public Base {
public:
    ${className}(VMBCHANNEL Channel) : Base(), m_channel(Channel), m_size(0) {}
    virtual ~${className}() = default;
    ${className}(const ${className}&) = delete;
    bool operator==(const ${className}& other) const { return m_channel == other.m_channel; }

    _IRQL_requires_max_(DISPATCH_LEVEL)
    NTSTATUS Send(_In_ ULONG Flags);`);
  const methods = 2 + Math.floor(random() * 4);
  for (let method = 0; method < methods; method++) push(`    NTSTATUS Step${method}();`);
  push(`
private:
    VMBCHANNEL m_channel;
    ULONG m_size;
    ULONG m_count;
    ULONG m_mode;
    ULONG m_failures;
    NTSTATUS m_status;
    PacketList m_items;
    static PFN_VMB_PACKET_ALLOCATE s_allocate;
};

_Use_decl_annotations_
NTSTATUS ${className}::Send(ULONG Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    return Step0();
}`);
  functions.push(`${className}::Send`);
  for (let method = 0; method < methods; method++) {
    push(`
NTSTATUS ${className}::Step${method}()
{
    PAGED_CODE();
    VMBPACKET packet = VmbPacketAllocate(m_channel);
    if (packet == nullptr) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }`);
    const count = 1 + Math.floor(random() * 4);
    for (let statement = 0; statement < count; statement++) {
      const chosen = STATEMENTS[Math.floor(random() * STATEMENTS.length)];
      // The early return leaves the packet: free it first, as correct code does.
      push(`    ${chosen.includes("return STATUS_SUCCESS ==") ? chosen.replace("{\n        return", "{\n        VmbPacketFree(packet);\n        return") : chosen}`);
    }
    if (random() < 0.3) {
      push("    VmbPacketFree(packet);");
      doubleFrees.push(lines.length + 1);
    }
    push("    VmbPacketFree(packet);\n    return STATUS_SUCCESS;\n}");
    functions.push(`${className}::Step${method}`);
  }
  return { name: `generated${index}.cpp`, text: lines.join("\n") + "\n", functions, doubleFrees };
}

const random = seededRandom(1807);
const files = Array.from({ length: 30 }, (_, index) => generateFile(index, random));

test("generated C++ files parse without a syntax problem and every function is lowered", async () => {
  for (const file of files) {
    const ir = await lowerFile(`/generated/${file.name}`, file.text, defaultConfig());
    assert.equal(ir.language, "cpp");
    assert.deepEqual(ir.problems, [], `${file.name}:\n${ir.problems.map((problem) => `${problem.range.start.line + 1}: ${problem.message}`).join("\n")}`);
    const names = new Set(ir.functions.map((fn) => fn.name));
    for (const name of file.functions) assert.ok(names.has(name), `${file.name}: ${name} was not lowered (lowered: ${[...names].join(", ")})`);
  }
});

test("generated C++ files report exactly their seeded double frees", async () => {
  const seeded = files.reduce((total, file) => total + file.doubleFrees.length, 0);
  assert.ok(seeded > 5, `only ${seeded} bugs were seeded`);
  for (const file of files) {
    const result = await checkSources([{ path: `/generated/${file.name}`, text: file.text }], defaultConfig());
    const found = result.findings.map((finding) => `${finding.ruleId}@${finding.range.start.line + 1}`).sort();
    const expected = file.doubleFrees.map((line) => `double-free@${line}`).sort();
    assert.deepEqual(found, expected, `${file.name}`);
  }
});

test("a C++ file with a syntax error in one function still reports the others, one problem per error region", async () => {
  const text = [
    "class Queue {",
    "public:",
    "    void Broken();",
    "    void Fine(VMBCHANNEL Channel);",
    "};",
    "void Queue::Broken()",
    "{",
    "    auto x = ;",
    "}",
    "void Queue::Fine(VMBCHANNEL Channel)",
    "{",
    "    VMBPACKET packet = VmbPacketAllocate(Channel);",
    "    if (packet == nullptr) return;",
    "    VmbPacketFree(packet);",
    "    VmbPacketFree(packet);",
    "}",
  ].join("\n");
  const result = await checkSources([{ path: "/generated/broken.cpp", text }], defaultConfig());
  assert.deepEqual(result.findings.map((finding) => `${finding.ruleId}@${finding.range.start.line + 1}`), ["double-free@15"]);
  const syntax = result.problems.filter((problem) => problem.message.startsWith("Syntax error"));
  assert.equal(syntax.length, 1, JSON.stringify(result.problems));
  assert.equal(syntax[0]?.range?.start.line, 7);
});

test("a lambda given to a call is lowered once: one closure function, whatever the call turns out to be", async () => {
  const text = [
    "class Timer {",
    "public:",
    "    void Start(int delay);",
    "};",
    "void Arm(Timer* timer, VMBPACKET packet)",
    "{",
    "    Register([&]() { VmbPacketFree(packet); });",
    "    timer->Start(Delay([=]() { return 1; }));",
    "    Unknown::Call([&]() { VmbPacketFree(packet); });",
    "}",
  ].join("\n");
  const ir = await lowerFile("/generated/lambdas.cpp", text, defaultConfig());
  assert.equal(ir.functions.filter((fn) => fn.isClosure === true).length, 3, ir.functions.map((fn) => fn.id).join(", "));
});
