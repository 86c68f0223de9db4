/// The EC2 rules for the security group inputs: resource ids, CIDR blocks and the text EC2 accepts.
extension NamingRules {
    /// The characters of a VPC security group's name and description (CreateSecurityGroup `GroupName`,
    /// `GroupDescription`): letters, digits, spaces and `._-:/()#,@[]+=&;{}!$*`.
    static let ec2GroupTextCharacters = "._-:/()#,@[]+=&;{}!$* "
    /// The characters of a rule's description (`IpRange.Description` and the others): as a group's, without `&`.
    static let ec2RuleDescriptionCharacters = "._-:/()#,@[]+=;{}!$* "
    /// The longest group name, group description or rule description EC2 accepts.
    static let ec2TextMaxLength = 255

    /// An EC2 id: `prefix-` and 8 or 17 lowercase hex digits (`vpc-…`, `pl-…`, `sg-…`).
    static func ec2ID(_ value: String, prefix: String) -> Bool {
        guard value.hasPrefix(prefix + "-") else { return false }
        let hex = value.dropFirst(prefix.count + 1).unicodeScalars
        return (hex.count == 8 || hex.count == 17)
            && hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    /// EC2 text of at most 255 ASCII letters, digits and `allowed`; the rules broken.
    static func ec2Text(_ value: String, allowed: String) -> [String] {
        var broken: [String] = []
        let count = value.unicodeScalars.count
        if count > ec2TextMaxLength {
            broken.append("it must be at most \(ec2TextMaxLength) characters long (it has \(count))")
        }
        let characters = Set(allowed.unicodeScalars)
        if !value.unicodeScalars.allSatisfy({ isASCIILetterOrDigit($0) || characters.contains($0) }) {
            broken.append("it may contain only ASCII letters, digits, spaces and \(allowed.filter { $0 != " " })")
        }
        return broken
    }

    /// An IPv4 CIDR block given as its network address (`10.0.1.0/24`): EC2 stores rules that way, so another
    /// spelling would read as drift forever; the rules broken.
    static func cidrIPv4(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        let octets = parts.first.map { $0.split(separator: ".", omittingEmptySubsequences: false) } ?? []
        let numbers = octets.compactMap { $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) ? UInt32($0) : nil }
        guard parts.count == 2, octets.count == 4, numbers.count == 4, numbers.allSatisfy({ $0 <= 255 }),
            parts[1].allSatisfy(\.isASCIIDigit), let length = Int(parts[1]), (0...32).contains(length)
        else { return ["it must be an IPv4 address and a prefix length of 0 to 32, e.g. 10.0.1.0/24"] }
        let address = numbers.reduce(UInt32(0)) { $0 << 8 | $1 }
        let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
        guard address & mask == address else {
            let network = address & mask
            let text = (0..<4).map { String(network >> (24 - 8 * $0) & 0xff) }.joined(separator: ".")
            return ["it must be the network address of the block: \(text)/\(length)"]
        }
        return []
    }

    /// An IPv6 CIDR block in the canonical form EC2 answers with (RFC 5952: lower case, no leading zeros, the
    /// longest run of zero groups as `::`), given as its network address; the rules broken.
    static func cidrIPv6(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].allSatisfy(\.isASCIIDigit), let length = Int(parts[1]),
            (0...128).contains(length), var groups = ipv6Groups(String(parts[0]))
        else { return ["it must be an IPv6 address and a prefix length of 0 to 128, e.g. 2001:db8::/32"] }
        for index in groups.indices {
            let bits = max(0, min(16, length - 16 * index))
            groups[index] &= bits == 0 ? 0 : ~UInt16(0) << (16 - bits)
        }
        let canonical = "\(canonicalIPv6(groups))/\(length)"
        return canonical == value ? [] : ["write it as EC2 stores it: \(canonical)"]
    }

    /// The eight 16-bit groups of an IPv6 address in text (with at most one `::`), or nil when it is not one.
    private static func ipv6Groups(_ text: String) -> [UInt16]? {
        let characters = Array(text)
        var halves: [String] = []
        var current = ""
        var index = 0
        while index < characters.count {
            if characters[index] == ":", index + 1 < characters.count, characters[index + 1] == ":" {
                halves.append(current)
                current = ""
                index += 2
            } else {
                current.append(characters[index])
                index += 1
            }
        }
        halves.append(current)
        guard halves.count <= 2 else { return nil }
        func groups(_ half: String) -> [UInt16]? {
            if half.isEmpty { return [] }
            let fields = half.split(separator: ":", omittingEmptySubsequences: false)
            let parsed = fields.compactMap { $0.count <= 4 && !$0.isEmpty ? UInt16($0, radix: 16) : nil }
            return parsed.count == fields.count ? parsed : nil
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }

    /// RFC 5952 text of eight groups: the first longest run of two or more zero groups becomes `::`.
    private static func canonicalIPv6(_ groups: [UInt16]) -> String {
        var best = (start: -1, count: 0)
        var index = 0
        while index < groups.count {
            var end = index
            while end < groups.count && groups[end] == 0 { end += 1 }
            if end - index > best.count && end - index >= 2 { best = (index, end - index) }
            index = max(end, index + 1)
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.start >= 0 else { return hex.joined(separator: ":") }
        return hex[..<best.start].joined(separator: ":") + "::"
            + hex[(best.start + best.count)...].joined(separator: ":")
    }
}

extension Character {
    /// Whether this is one of the ASCII digits 0–9.
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
