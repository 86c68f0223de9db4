import Synchronization

/// A success result written while the server sends it: pieces of its compact JSON text (sorted keys), the first one
/// written before the response starts, each next one asked for on a handler thread once the one before it is out.
/// A slow client so holds neither a thread nor a store read while it reads, and the daemon holds one piece of the
/// text at a time, not the text whole. A stream is read once; the server asks for one piece at a time.
public final class ResultStream: Sendable, Equatable {
    private let first: Mutex<[UInt8]?>
    private let next: (@Sendable () throws -> [UInt8]?)?

    /// A stream whose text starts with `first`, then the pieces `next` gives until it gives nil; without `next`,
    /// `first` is the whole text (a short list), which the server then sends with the line's end at once. An error
    /// `next` throws ends the response where it stands: the server logs it and closes the connection.
    public init(first: [UInt8], next: (@Sendable () throws -> [UInt8]?)?) {
        self.first = Mutex(first)
        self.next = next
    }

    /// The next piece of the text, or nil once all of it was given.
    public func nextPiece() throws -> [UInt8]? {
        if let first = first.withLock({ $0.take() }) { return first }
        return try next?()
    }

    /// True once the first piece was given and it was the whole text.
    var isComplete: Bool { next == nil && first.withLock { $0 == nil } }

    /// Every piece left, joined.
    func collected() throws -> [UInt8] {
        var text: [UInt8] = []
        while let piece = try nextPiece() { text += piece }
        return text
    }

    /// Streams are equal only to themselves.
    public static func == (left: ResultStream, right: ResultStream) -> Bool { left === right }
}
