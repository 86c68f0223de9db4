/// The AWS naming rules a spec's values must follow; each check returns the rules broken (empty when all hold).
enum NamingRules {
    /// RDS DB cluster and instance identifiers (RestoreDBClusterFromS3 / CreateDBInstance `DB…Identifier`):
    /// 1–63 letters, digits or hyphens; first a letter; no two consecutive hyphens; no trailing hyphen.
    static func identifier(_ value: String) -> [String] {
        if value.isEmpty { return ["it must not be empty"] }
        var broken: [String] = []
        let count = value.unicodeScalars.count
        if count > 63 { broken.append("it must be at most 63 characters long (it has \(count))") }
        if !value.unicodeScalars.allSatisfy({ isASCIILetterOrDigit($0) || $0 == "-" }) {
            broken.append("it may contain only ASCII letters, digits and hyphens")
        }
        if let first = value.unicodeScalars.first, !isASCIILetter(first) {
            broken.append("it must start with a letter")
        }
        if value.contains("--") { broken.append("it must not contain two consecutive hyphens") }
        if value.hasSuffix("-") { broken.append("it must not end with a hyphen") }
        if value.unicodeScalars.contains(where: { ("A"..."Z").contains($0) }) {
            // RDS stores identifiers in lower case and compares them case-insensitively; a capital in the spec
            // would never match what DescribeDBClusters and DescribeDBInstances return.
            broken.append("it must be lower case, as RDS stores it (use \"\(value.lowercased())\")")
        }
        return broken
    }

    /// S3 general purpose bucket naming rules (Amazon S3 User Guide, "General purpose bucket naming rules").
    static func bucketName(_ value: String) -> [String] {
        var broken: [String] = []
        let count = value.unicodeScalars.count
        if count < 3 || count > 63 { broken.append("it must be 3 to 63 characters long (it has \(count))") }
        let allowed = value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-"
        }
        if !allowed { broken.append("it may contain only lowercase letters, digits, dots and hyphens") }
        if let first = value.unicodeScalars.first, let last = value.unicodeScalars.last,
            !(isLowercaseLetterOrDigit(first) && isLowercaseLetterOrDigit(last))
        {
            broken.append("it must begin and end with a lowercase letter or digit")
        }
        if value.contains("..") { broken.append("it must not contain two adjacent dots") }
        if looksLikeIPv4(value) { broken.append("it must not be formatted as an IP address") }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where value.hasPrefix(prefix) {
            broken.append("it must not start with the reserved prefix \(prefix)")
        }
        for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where value.hasSuffix(suffix) {
            broken.append("it must not end with the reserved suffix \(suffix)")
        }
        return broken
    }

    /// An IAM role ARN: `arn:<aws|aws-cn|aws-us-gov>:iam::<12-digit account>:role/<optional path/><name>`, where the
    /// name is 1–64 of `A-Z a-z 0-9 + = , . @ _ -` and the path segments are printable ASCII (IAM `arnType`,
    /// `roleNameType` and `pathType` in the IAM API reference).
    static func roleARN(_ value: String) -> [String] {
        let parts = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn" else {
            return ["it must have the form arn:aws:iam::<12-digit account>:role/<name>"]
        }
        var broken: [String] = []
        if !["aws", "aws-cn", "aws-us-gov"].contains(parts[1]) {
            broken.append("its partition must be aws, aws-cn or aws-us-gov")
        }
        if parts[2] != "iam" { broken.append("its service must be iam") }
        if !parts[3].isEmpty { broken.append("IAM ARNs have an empty region field") }
        if parts[4].utf8.count != 12 || !parts[4].utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            broken.append("its account must be 12 digits")
        }
        guard parts[5].hasPrefix("role/") else {
            broken.append("its resource must be role/<name>")
            return broken
        }
        let segments = parts[5].dropFirst("role/".count).split(separator: "/", omittingEmptySubsequences: false)
        let name = segments.last ?? ""
        let nameAllowed = name.unicodeScalars.allSatisfy {
            isASCIILetterOrDigit($0) || "+=,.@_-".unicodeScalars.contains($0)
        }
        if name.isEmpty || name.unicodeScalars.count > 64 || !nameAllowed {
            broken.append("its role name must be 1 to 64 of the characters A-Z a-z 0-9 + = , . @ _ -")
        }
        let path = segments.dropLast()
        let pathAllowed = path.allSatisfy { segment in
            !segment.isEmpty && segment.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
        }
        if !pathAllowed || path.reduce(1, { $0 + $1.utf8.count + 1 }) > 512 {
            broken.append("its role path must be non-empty segments of printable ASCII, at most 512 characters in all")
        }
        return broken
    }

    /// RDS master user name: 1–16 letters or digits, first a letter, not `rdsadmin` (RDS's own administrative
    /// account on every MySQL-family engine).
    static func masterUsername(_ value: String) -> [String] {
        if value.isEmpty { return ["it must not be empty"] }
        var broken: [String] = []
        let count = value.unicodeScalars.count
        if count > 16 { broken.append("it must be at most 16 characters long (it has \(count))") }
        if !value.unicodeScalars.allSatisfy(isASCIILetterOrDigit) {
            broken.append("it may contain only ASCII letters and digits")
        }
        if let first = value.unicodeScalars.first, !isASCIILetter(first) {
            broken.append("it must start with a letter")
        }
        if value.lowercased() == "rdsadmin" { broken.append("rdsadmin is reserved by RDS") }
        return broken
    }

    /// An RDS instance class: `db.` then lowercase letters, digits and dots (`db.r8g.large`, `db.serverless`).
    static func instanceClass(_ value: String) -> [String] {
        var broken: [String] = []
        if !value.hasPrefix("db.") || value.count == 3 { broken.append("it must start with db. (e.g. db.r8g.large)") }
        if !value.unicodeScalars.allSatisfy({ isLowercaseLetterOrDigit($0) || $0 == "." }) {
            broken.append("it may contain only lowercase letters, digits and dots")
        }
        return broken
    }

    /// A VPC security group id: `sg-` and 8 or 17 lowercase hex digits.
    static func securityGroupID(_ value: String) -> Bool {
        guard value.hasPrefix("sg-") else { return false }
        let hex = value.dropFirst(3).unicodeScalars
        return (hex.count == 8 || hex.count == 17)
            && hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    /// A DB subnet group name: 1–255 letters, digits, periods, underscores, spaces or hyphens (CreateDBSubnetGroup).
    static func subnetGroupName(_ value: String) -> [String] {
        let count = value.unicodeScalars.count
        if count < 1 || count > 255 { return ["it must be 1 to 255 characters long"] }
        if !value.unicodeScalars.allSatisfy({ isASCIILetterOrDigit($0) || "._ -".unicodeScalars.contains($0) }) {
            return ["it may contain only ASCII letters, digits, periods, underscores, spaces and hyphens"]
        }
        return []
    }

    /// RDS tag text: Unicode letters, digits, white space and `_ . : / = + - @` (the RDS `Tag` shape's pattern).
    static func tagTextAllowed(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .decimalNumber, .letterNumber, .otherNumber, .spaceSeparator, .lineSeparator, .paragraphSeparator:
                true
            default:
                "_.:/=+-@".unicodeScalars.contains(scalar)
            }
        }
    }

    /// Whether the value is four dot-separated decimal numbers, the form S3 refuses as a bucket name.
    private static func looksLikeIPv4(_ value: String) -> Bool {
        let octets = value.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4
            && octets.allSatisfy { octet in
                !octet.isEmpty && octet.count <= 3 && octet.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
            }
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    static func isASCIILetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        isASCIILetter(scalar) || ("0"..."9").contains(scalar)
    }

    private static func isLowercaseLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
