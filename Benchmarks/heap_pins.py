#!/usr/bin/env python3
"""Which allocations keep heap pages resident: a page-pinning table from a heaptrack raw recording.

glibc's `malloc_trim(0)` (which the daemon calls when its work drains) returns every wholly free page, so what the heap
costs in RSS is the pages that hold some live bytes. This script replays a recording's allocations and frees (to its
end, or to `--stop-ms`), splits every 4 KiB page touched by a live chunk among the chunks on it by bytes, and ranks
the allocation traces by the pages they pin beyond their own size:

  excess  the trace's share of the pages it touches minus its bytes / 4096: what it costs because it sits among
          free space (a 64-byte block alone on a page: 1 page, excess 0.98);
  pages   its share of the pages it touches (the shares of all traces add up to the pages touched);
  sparse  its share of pages less than a quarter full;
  KiB, blocks  its live chunk bytes on those pages, and its live blocks.

A chunk is taken as glibc lays it out (8-byte size header, 16-byte alignment, 32 bytes at least); blocks of 128 KiB and
more are left out (glibc maps those apart from the heap). `--region brk` or `arena` keeps the main arena's heap (the
program break) or the other arenas' (mapped at 0x7f…); `--born S,E` ranks only the blocks allocated between S and E
seconds into the recording (the pages are still shared among all live blocks).

Recording: `Benchmarks/fleet-bench.sh --p6 N --heaptrack FILE` runs the daemon under heaptrack's preload library
(package `heaptrack`) and kills it right after the last reading, so the recording ends there. Frames are named from the
binary's and the libraries' symbol tables (`nm`), Swift names demangled by `swift-demangle`; allocator frames (malloc,
swift_allocObject, string and array growth) are skipped so a trace names the code that asked.

Usage: Benchmarks/heap_pins.py RAW BINARY [--top N] [--frames K] [--region brk|arena] [--born S,E] [--stop-ms MS]
(BINARY: the aurorad binary recorded, as it was then; a few minutes for a 1,000-spec recording of a few GB).
"""

import argparse
import bisect
import collections
import os
import shutil
import subprocess
import sys

PAGE = 4096
MMAP_MIN = 128 * 1024
ARENA_START = 0x7F0000000000
ALLOCATOR_FRAMES = (
    "malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc", "memalign", "heaptrack", "operator new",
    "swift_slowAlloc", "swift_allocObject", "swift_allocBox", "_allocateUninitialized",
    "ContiguousArrayBuffer.init(_uninitializedCount", "_ContiguousArrayBuffer(_uninitializedCount",
    "__StringStorage.create", "_StringGuts.grow", "_StringGuts.reserveCapacity", "String.reserveCapacity",
    "_StringGuts.prepareForAppendInPlace", "_StringGuts.append", "String.append", "+ infix")


class Recording:
    """A heaptrack raw recording replayed: the live blocks (address: size, trace, birth in ms), the trace tree
    (index: instruction pointer, parent) and the modules' load addresses."""

    def __init__(self, path: str, stop_ms: int | None) -> None:
        self.traces: list[tuple[int, int]] = [(0, 0)]
        self.live: dict[int, tuple[int, int, int]] = {}
        self.modules: list[tuple[int, str]] = []
        now = 0
        with open(path, "rb") as file:
            for line in file:
                kind = line[:1]
                if kind == b"+":
                    _, size, trace, pointer = line.split()
                    self.live[int(pointer, 16)] = (int(size, 16), int(trace, 16), now)
                elif kind == b"-":
                    self.live.pop(int(line[2:], 16), None)
                elif kind == b"t":
                    _, ip, parent = line.split()
                    self.traces.append((int(ip, 16), int(parent, 16)))
                elif kind == b"m":
                    fields = line.split()
                    if len(fields) >= 5 and fields[2] != b"-":
                        self.modules.append((int(fields[3], 16), fields[2].decode()))
                elif kind == b"c":
                    now = int(line[2:], 16)
                    if stop_ms is not None and now > stop_ms:
                        break

    def frames(self, trace: int, limit: int = 60) -> list[int]:
        """The instruction pointers of `trace`, innermost first."""
        found = []
        while trace and len(found) < limit:
            ip, trace = self.traces[trace]
            found.append(ip)
        return found


class Symbolizer:
    """Function names of instruction pointers, from `nm` of the binary (the recording's main module, `x`) and of each
    library, Swift names demangled in one `swift-demangle` run (`prime`)."""

    def __init__(self, binary: str, modules: list[tuple[int, str]]) -> None:
        self.tables = []
        bases: dict[str, int] = {}
        for base, path in modules:
            bases.setdefault(path, base)
        for path, base in bases.items():
            name = binary if path == "x" else path
            symbols = self.symbols(name)
            self.tables.append((base, os.path.basename(name), [a for a, _ in symbols], [n for _, n in symbols]))
        self.tables.sort()
        self.bases = [table[0] for table in self.tables]
        self.demangled: dict[str, str] = {}
        self.cache: dict[int, str] = {}

    @staticmethod
    def symbols(path: str) -> list[tuple[int, str]]:
        """The code symbols of `path` by address (the dynamic ones when it has no others)."""
        found = []
        for flags in (["--defined-only"], ["-D", "--defined-only"]):
            result = subprocess.run(["nm", *flags, path], capture_output=True, text=True)
            for line in result.stdout.splitlines():
                fields = line.split()
                if len(fields) == 3 and fields[1] in "tTwW":
                    found.append((int(fields[0], 16), fields[2]))
            if found:
                break
        return sorted(found)

    def mangled(self, ip: int) -> tuple[str, str] | None:
        """The module and raw symbol holding `ip`."""
        index = bisect.bisect_right(self.bases, ip) - 1
        if index < 0:
            return None
        base, module, addresses, names = self.tables[index]
        position = bisect.bisect_right(addresses, ip - base) - 1
        return (module, names[position]) if position >= 0 else None

    def prime(self, ips: set[int]) -> None:
        """Demangles the Swift symbols of `ips` at once."""
        demangler = shutil.which("swift-demangle") or "/opt/swift/usr/bin/swift-demangle"
        wanted = sorted({found[1] for found in map(self.mangled, ips) if found and found[1].startswith(("$s", "_$s"))})
        result = subprocess.run([demangler, "--simplified", "--compact"], input="\n".join(wanted) + "\n",
                                capture_output=True, text=True)
        self.demangled.update(zip(wanted, result.stdout.splitlines()))

    def __call__(self, ip: int) -> str:
        if ip not in self.cache:
            found = self.mangled(ip)
            if found is None:
                self.cache[ip] = hex(ip)
            else:
                module, symbol = found
                name = self.demangled.get(symbol, symbol)
                self.cache[ip] = f"{module}:{name}" if ".so" in module else name
        return self.cache[ip]


def chunk_pages(pointer: int, size: int):
    """The pages a chunk of `size` requested bytes at `pointer` touches, with the bytes it covers on each."""
    length = max(32, (size + 8 + 15) & ~15)
    start, end = pointer - 8, pointer - 8 + length
    for page in range(start // PAGE, (end - 1) // PAGE + 1):
        yield page, min(end, (page + 1) * PAGE) - max(start, page * PAGE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", help="heaptrack raw recording (uncompressed)")
    parser.add_argument("binary", help="the aurorad binary recorded")
    parser.add_argument("--top", type=int, default=30, help="traces listed")
    parser.add_argument("--frames", type=int, default=5, help="frames named per trace")
    parser.add_argument("--region", choices=["brk", "arena"], help="the main arena's heap or the other arenas'")
    parser.add_argument("--born", help="S,E: rank only blocks allocated between S and E seconds in")
    parser.add_argument("--stop-ms", type=int, help="replay only this far (ms into the recording)")
    args = parser.parse_args()

    recording = Recording(args.raw, args.stop_ms)
    in_region = {
        None: lambda pointer: True,
        "brk": lambda pointer: pointer < ARENA_START,
        "arena": lambda pointer: pointer >= ARENA_START,
    }[args.region]
    blocks = [(pointer, size, trace, born) for pointer, (size, trace, born) in recording.live.items()
              if size < MMAP_MIN and in_region(pointer)]
    page_live: collections.Counter = collections.Counter()
    for pointer, size, _, _ in blocks:
        for page, covered in chunk_pages(pointer, size):
            page_live[page] += covered
    live_bytes = sum(page_live.values())
    print(f"live blocks {len(blocks):,} in {live_bytes / 1048576:.2f} MiB of chunks on {len(page_live):,} pages "
          f"({len(page_live) * PAGE / 1048576:.2f} MiB, {live_bytes / (len(page_live) * PAGE or 1):.0%} full); "
          f"pages under a quarter full {sum(1 for v in page_live.values() if v < PAGE / 4):,}")

    symbolize = Symbolizer(args.binary, recording.modules)
    symbolize.prime({ip for _, _, trace, _ in blocks for ip in recording.frames(trace)})
    keys: dict[int, str] = {}

    def key(trace: int) -> str:
        if trace not in keys:
            names = [symbolize(ip) for ip in recording.frames(trace)]
            kept = [name for name in names if not any(frame in name for frame in ALLOCATOR_FRAMES)]
            keys[trace] = " < ".join(kept[:args.frames])
        return keys[trace]

    window = tuple(int(float(x) * 1000) for x in args.born.split(",")) if args.born else None
    excess, pages, sparse, covered_bytes, counts = (collections.Counter() for _ in range(5))
    for pointer, size, trace, born in blocks:
        if window and not window[0] <= born < window[1]:
            continue
        name = key(trace)
        counts[name] += 1
        for page, covered in chunk_pages(pointer, size):
            share = covered / page_live[page]
            pages[name] += share
            excess[name] += share - covered / PAGE
            covered_bytes[name] += covered
            if page_live[page] < PAGE / 4:
                sparse[name] += share
    print(f"\n{'excess':>7} {'pages':>7} {'sparse':>7} {'KiB':>7} {'blocks':>7}  trace (innermost first)")
    for name, value in excess.most_common(args.top):
        print(f"{value:7.1f} {pages[name]:7.1f} {sparse[name]:7.1f} {covered_bytes[name] / 1024:7.1f} "
              f"{counts[name]:7d}  {name}")
    print(f"\nranked: excess {sum(excess.values()):.1f} pages of {sum(pages.values()):.1f}")


if __name__ == "__main__":
    sys.exit(main())
