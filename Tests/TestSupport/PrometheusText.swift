/// A Prometheus text exposition (format 0.0.4) parsed and checked strictly, so a test fails on anything a Prometheus
/// server would reject or misread: metric and label name syntax, label escapes, values, one `# TYPE` per family
/// before its samples, a family's samples kept together, and histograms whose `le` buckets rise, whose counts never
/// fall, and whose `+Inf` bucket equals `_count`, with a `_sum`.
public struct PrometheusExposition {
    /// One sample line.
    public struct Sample: Equatable {
        /// The sample's name (for a histogram: the family name plus `_bucket`, `_sum` or `_count`).
        public let name: String
        /// Its labels.
        public let labels: [String: String]
        /// Its value.
        public let value: Double
    }

    /// A metric family: its `# TYPE` (untyped when none was given), `# HELP` and samples.
    public struct Family {
        /// The family name.
        public let name: String
        /// `counter`, `gauge`, `histogram`, `summary` or `untyped`.
        public fileprivate(set) var type: String
        /// The `# HELP` text, if any.
        public fileprivate(set) var help: String?
        /// The samples, in order.
        public fileprivate(set) var samples: [Sample] = []
    }

    /// Families by name.
    public private(set) var families: [String: Family] = [:]

    /// Parses and checks `text`; the error names the line and what is wrong with it.
    public init(parsing text: String) throws(PrometheusTextError) {
        var lastFamily: String?
        var finished = Set<String>()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            func fail(_ message: String) -> PrometheusTextError { PrometheusTextError(line: number, message: message) }
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3, parts[1] == "TYPE" || parts[1] == "HELP" else { continue }
                let name = String(parts[2])
                guard Self.isMetricName(name) else { throw fail("\"\(name)\" is not a valid metric name") }
                var family = families[name] ?? Family(name: name, type: "untyped")
                guard family.samples.isEmpty else { throw fail("\(parts[1]) for \(name) comes after its samples") }
                if parts[1] == "TYPE" {
                    let type = parts.count == 4 ? String(parts[3]) : ""
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(type) else {
                        throw fail("unknown type \"\(type)\"")
                    }
                    guard families[name]?.type ?? "untyped" == "untyped" else { throw fail("second TYPE for \(name)") }
                    family.type = type
                } else {
                    guard family.help == nil else { throw fail("second HELP for \(name)") }
                    family.help = parts.count == 4 ? String(parts[3]) : ""
                }
                families[name] = family
                continue
            }
            var reader = SampleReader(line: Array(line.unicodeScalars))
            let sample: Sample
            do {
                sample = try reader.sample()
            } catch {
                throw fail("\(error.message): \(line)")
            }
            let familyName = familyName(of: sample.name)
            if let previous = lastFamily, previous != familyName { finished.insert(previous) }
            guard !finished.contains(familyName) else {
                throw fail("a sample of \(familyName) appears apart from the rest of its family")
            }
            lastFamily = familyName
            if families[familyName] == nil { families[familyName] = Family(name: familyName, type: "untyped") }
            families[familyName]!.samples.append(sample)
        }
        for family in families.values where family.type == "histogram" { try Self.checkHistogram(family) }
    }

    /// The value of the sample named `name` with exactly `labels`, if present.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        families[familyName(of: name)]?.samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The sum over the samples named `name` whose labels include `labels` (0 when none).
    public func total(_ name: String, matching labels: [String: String] = [:]) -> Double {
        let samples = families[familyName(of: name)]?.samples ?? []
        return samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }.reduce(0) { $0 + $1.value }
    }

    /// The family a sample name belongs to: itself, or a histogram or summary it is a `_bucket`, `_sum` or `_count`
    /// line of.
    private func familyName(of sampleName: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where sampleName.hasSuffix(suffix) {
            let base = String(sampleName.dropLast(suffix.count))
            if let type = families[base]?.type, type == "histogram" || (type == "summary" && suffix != "_bucket") {
                return base
            }
        }
        return sampleName
    }

    private static func checkHistogram(_ family: Family) throws(PrometheusTextError) {
        func fail(_ message: String) -> PrometheusTextError {
            PrometheusTextError(line: 0, message: "histogram \(family.name): \(message)")
        }
        var series: [[String: String]: (buckets: [(Double, Double)], sum: Double?, count: Double?)] = [:]
        for sample in family.samples {
            var key = sample.labels
            switch sample.name {
            case family.name + "_bucket":
                guard let le = key.removeValue(forKey: "le"), let bound = Self.number(le) else {
                    throw fail("a bucket without a numeric le label")
                }
                series[key, default: ([], nil, nil)].buckets.append((bound, sample.value))
            case family.name + "_sum": series[key, default: ([], nil, nil)].sum = sample.value
            case family.name + "_count": series[key, default: ([], nil, nil)].count = sample.value
            default: throw fail("unexpected sample \(sample.name)")
            }
        }
        for (labels, entry) in series {
            guard let count = entry.count, entry.sum != nil else { throw fail("\(labels) lacks _sum or _count") }
            guard let last = entry.buckets.last, last.0 == .infinity else { throw fail("\(labels) has no +Inf bucket") }
            for (previous, next) in zip(entry.buckets, entry.buckets.dropFirst()) {
                guard previous.0 < next.0 else { throw fail("\(labels) buckets are not in rising le order") }
                guard previous.1 <= next.1 else { throw fail("\(labels) bucket counts fall at le=\(next.0)") }
            }
            guard last.1 == count else { throw fail("\(labels) +Inf bucket \(last.1) differs from _count \(count)") }
        }
    }

    /// A sample value: a float, `+Inf`, `-Inf` or `NaN`.
    static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: text.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) ? nil : Double(text)
        }
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" || first == ":" else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == ":" }
    }
}

/// A line of a Prometheus exposition that does not follow the format.
public struct PrometheusTextError: Error, CustomStringConvertible {
    /// The 1-based line number (0: the whole family).
    public let line: Int
    /// What is wrong.
    public let message: String

    public var description: String { "line \(line): \(message)" }
}

/// Reads `name{label="value",…} value [timestamp]`.
private struct SampleReader {
    struct Failure: Error {
        let message: String
    }

    let line: [Unicode.Scalar]
    var index = 0

    mutating func sample() throws(Failure) -> PrometheusExposition.Sample {
        let name = take { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == ":" }
        guard PrometheusExposition.isMetricName(name) else { throw Failure(message: "no valid metric name") }
        var labels: [String: String] = [:]
        if peek == "{" {
            index += 1
            while peek != "}" {
                let label = take { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
                guard let first = label.unicodeScalars.first, first.isASCIILetter || first == "_" else {
                    throw Failure(message: "no valid label name")
                }
                guard next() == "=", next() == "\"" else { throw Failure(message: "label \(label) has no =\"value\"") }
                var value = ""
                while true {
                    guard let scalar = next() else { throw Failure(message: "unterminated label value") }
                    if scalar == "\"" { break }
                    if scalar == "\\" {
                        switch next() {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw Failure(message: "invalid escape in label \(label)")
                        }
                    } else {
                        value.unicodeScalars.append(scalar)
                    }
                }
                guard labels.updateValue(value, forKey: label) == nil else {
                    throw Failure(message: "label \(label) given twice")
                }
                if peek == "," { index += 1 } else if peek != "}" { throw Failure(message: "expected , or }") }
            }
            index += 1
        }
        guard next() == " " else { throw Failure(message: "no space before the value") }
        let rest = String(String.UnicodeScalarView(line[index...])).split(separator: " ")
        guard (1...2).contains(rest.count), let value = PrometheusExposition.number(String(rest[0])) else {
            throw Failure(message: "the value is not a number")
        }
        if rest.count == 2, Int64(rest[1]) == nil { throw Failure(message: "the timestamp is not an integer") }
        return PrometheusExposition.Sample(name: name, labels: labels, value: value)
    }

    var peek: Unicode.Scalar? { index < line.count ? line[index] : nil }

    mutating func next() -> Unicode.Scalar? {
        defer { index += 1 }
        return peek
    }

    mutating func take(while accept: (Unicode.Scalar) -> Bool) -> String {
        var out = String.UnicodeScalarView()
        while let scalar = peek, accept(scalar) {
            out.append(scalar)
            index += 1
        }
        return String(out)
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
