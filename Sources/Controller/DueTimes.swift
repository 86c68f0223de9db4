/// Keys with the times they come due, soonest first: a binary min-heap, so a queue of thousands of delayed adds
/// needs one timer for the soonest instead of one per key. It holds what it was given; the caller knows which
/// entries still count (a key's entry is stale once the key's add ran, was cancelled, or was moved earlier).
struct DueTimes {
    /// One key's due time.
    struct Entry {
        var due: Duration
        var key: String
    }

    private var entries: [Entry] = []

    /// An empty heap.
    init() {}

    /// A heap of the given due times.
    init(_ dueTimes: [String: Duration]) {
        entries = dueTimes.map { Entry(due: $0.value, key: $0.key) }
        for index in stride(from: entries.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    /// How many entries it holds, stale ones included.
    var count: Int { entries.count }

    /// The soonest entry.
    var first: Entry? { entries.first }

    /// Adds `key` due at `due`.
    mutating func insert(_ due: Duration, key: String) {
        entries.append(Entry(due: due, key: key))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].due < entries[parent].due else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes the soonest entry; none when empty.
    mutating func removeFirst() {
        guard !entries.isEmpty else { return }
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        // Each turn moves a level down: at most log2(count) turns.
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var soonest = parent
            if left < entries.count, entries[left].due < entries[soonest].due { soonest = left }
            if right < entries.count, entries[right].due < entries[soonest].due { soonest = right }
            guard soonest != parent else { return }
            entries.swapAt(parent, soonest)
            parent = soonest
        }
    }
}
