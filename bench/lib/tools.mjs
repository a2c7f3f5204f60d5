// Makes sure the peers and GNU time are installed, from Debian when they are missing.
import { spawnSync } from "node:child_process";

/** Binary to look for, and the Debian package that provides it; `peer`: only needed when peers run. */
export const requiredTools = [
  { binary: "gcc", debianPackage: "gcc", peer: true },
  { binary: "clang", debianPackage: "clang", peer: true },
  { binary: "cppcheck", debianPackage: "cppcheck", peer: true },
  { binary: "/usr/bin/time", debianPackage: "time", peer: false },
];

export function isInstalled(binary) {
  return spawnSync("sh", ["-c", `command -v "${binary}"`], { stdio: "ignore" }).status === 0;
}

function firstLine(command, args) {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return `${result.stdout ?? ""}${result.stderr ?? ""}`.split("\n").find((line) => line.trim() !== "")?.trim() ?? "unknown";
}

/**
 * `apt-get install -y packages` (the bench runs as root on the project's machines; elsewhere, through
 * `sudo -n` when it is there). Returns why it failed, or undefined.
 */
export function installFromDebian(packages, log) {
  log(`installing from Debian: ${packages.join(" ")}`);
  const asRoot = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  if (asRoot.length > 0 && !isInstalled("sudo")) return `apt-get install ${packages.join(" ")}: not root and no sudo`;
  const apt = (args) => {
    const [command, ...rest] = [...asRoot, "apt-get", ...args];
    return spawnSync(command, rest, { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  };
  apt(["update", "-qq"]);
  const install = apt(["install", "-y", "-qq", ...packages]);
  return install.status === 0 ? undefined : `apt-get install ${packages.join(" ")} failed (exit ${install.status ?? install.error?.message})`;
}

/**
 * Installs what is missing with apt-get (the bench runs as root on the project's machines;
 * elsewhere, through sudo when it is there); the peers only when `withPeers`. Returns notes for the report.
 */
export function ensureTools(log, { withPeers = true } = {}) {
  const needed = requiredTools.filter((tool) => withPeers || !tool.peer);
  const missing = needed.filter((tool) => !isInstalled(tool.binary));
  const notes = [];
  if (missing.length > 0) {
    const failure = installFromDebian(missing.map((tool) => tool.debianPackage), log);
    if (failure !== undefined) notes.push(failure);
  }
  for (const tool of needed) {
    if (!isInstalled(tool.binary)) notes.push(`${tool.binary} is not available: its results are missing`);
  }
  return notes;
}

export function toolVersions() {
  return {
    gcc: isInstalled("gcc") ? firstLine("gcc", ["--version"]) : undefined,
    clang: isInstalled("clang") ? firstLine("clang", ["--version"]) : undefined,
    cppcheck: isInstalled("cppcheck") ? firstLine("cppcheck", ["--version"]) : undefined,
    node: process.version,
  };
}
