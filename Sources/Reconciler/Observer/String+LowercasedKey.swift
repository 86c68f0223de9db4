extension String {
    /// The string lowercased, as the fleet observation keys its clusters, instances and roles: the string itself
    /// (sharing its storage) when it is ASCII without capitals, as names aurorad derives are. `lowercased()` copies
    /// every string longer than 15 bytes, and the keys are kept for a whole resync pass.
    var lowercasedKey: String {
        utf8.allSatisfy { $0 < 0x80 && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) } ? self : lowercased()
    }
}
