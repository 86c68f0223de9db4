import Foundation
import Testing
import TestSupport

@testable import AWSCore

/// A real-shaped RDS DescribeDBClusters response (namespace, entities, marker), without a trailing newline so every
/// proper prefix of it is a truncated document.
let describeDBClustersResponse = """
    <?xml version="1.0" encoding="UTF-8"?>
    <DescribeDBClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
      <DescribeDBClustersResult>
        <DBClusters>
          <DBCluster>
            <DBClusterIdentifier>orders</DBClusterIdentifier>
            <Status>available</Status>
            <Engine>aurora-mysql</Engine>
            <AssociatedRoles>
              <DBClusterRole>
                <RoleArn>arn:aws:iam::123456789012:role/aurorad-orders</RoleArn>
                <Status>ACTIVE</Status>
              </DBClusterRole>
            </AssociatedRoles>
            <TagList><Tag><Key>note</Key>\
            <Value>a &lt; b &amp;&amp; c &gt; d &quot;q&quot; &apos;s&apos;</Value></Tag></TagList>
          </DBCluster>
          <DBCluster>
            <DBClusterIdentifier>billing</DBClusterIdentifier>
            <Status>creating</Status>
          </DBCluster>
        </DBClusters>
        <Marker>bWFya2VyLzE=</Marker>
      </DescribeDBClustersResult>
      <ResponseMetadata>
        <RequestId>5e2a6c1d-1234-4bcd-9f00-0123456789ab</RequestId>
      </ResponseMetadata>
    </DescribeDBClustersResponse>
    """

@Suite("AWSXMLParser")
struct XMLParserTests {
    @Test("parses a real-shaped RDS response and navigates it")
    func parsesRDSResponse() throws {
        let root = try AWSXMLParser.parse(Data(describeDBClustersResponse.utf8))
        #expect(root.name == "DescribeDBClustersResponse")
        #expect(root.attributes["xmlns"] == "http://rds.amazonaws.com/doc/2014-10-31/")
        let clusters = root.elements(at: "DescribeDBClustersResult/DBClusters/DBCluster")
        #expect(clusters.map { $0.text(at: "DBClusterIdentifier") } == ["orders", "billing"])
        #expect(clusters[0].text(at: "AssociatedRoles/DBClusterRole/Status") == "ACTIVE")
        #expect(clusters[0].text(at: "TagList/Tag/Value") == "a < b && c > d \"q\" 's'")
        #expect(root.text(at: "DescribeDBClustersResult/Marker") == "bWFya2VyLzE=")
        #expect(root.trimmedText(at: "ResponseMetadata/RequestId") == "5e2a6c1d-1234-4bcd-9f00-0123456789ab")
        #expect(root.element(at: "DescribeDBClustersResult/NoSuchThing") == nil)
        #expect(clusters[1].child("AssociatedRoles") == nil)
    }

    @Test("drops namespace prefixes, decodes numeric references, keeps CDATA, skips comments and PIs")
    func namespacesEntitiesCDATA() throws {
        let xml = """
            \u{FEFF}<?xml version="1.0"?><!-- leading -->\
            <s3:ListBucketResult xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">\
            <s3:Name a='1' b="x&amp;y">caf&#233; &#x1F600;</s3:Name><!-- inside --><?pi data?>\
            <Key><![CDATA[<raw> & text]]></Key><Empty/><IsTruncated>true</IsTruncated></s3:ListBucketResult>
            <!-- trailing -->
            """
        let root = try AWSXMLParser.parse(Data(xml.utf8))
        #expect(root.name == "ListBucketResult")
        #expect(root.prefix == "s3")
        #expect(root.text(at: "Name") == "café 😀")
        #expect(root.child("Name")?.attributes == ["a": "1", "b": "x&y"])
        #expect(root.text(at: "Key") == "<raw> & text")
        #expect(root.text(at: "Empty") == "")
        #expect(root.bool(at: "IsTruncated") == true)
        #expect(root.children.map(\.name) == ["Name", "Key", "Empty", "IsTruncated"])
    }

    @Test("texts repeated across elements, shared or not, read back as written; trimmedText trims only when needed")
    func repeatedTexts() throws {
        // Around the shared lengths (16...64 bytes), one spelled with a reference, one with a multi-byte character.
        let values =
            [15, 16, 40, 64, 65].map { String(repeating: "k", count: $0) } + [
                "aurorad:managed-by", "aurorad:managed&#45;by", "5.7.mysql_aurora.2.11.2",
                "caf\u{E9} de la gare 123456",
            ]
        let expected = values.map { $0.replacingOccurrences(of: "&#45;", with: "-") }
        let members = (values + values.reversed()).map { "<T><Key>\($0)</Key><Value> \($0)\u{A0}</Value></T>" }
        let root = try AWSXMLParser.parse(Data("<R>\(members.joined())</R>".utf8))
        let tags = root.children("T")
        #expect(tags.map { $0.text(at: "Key") } == expected + expected.reversed())
        #expect(tags.map { $0.trimmedText(at: "Key") } == expected + expected.reversed())
        #expect(tags.map { $0.trimmedText(at: "Value") } == expected + expected.reversed())
        #expect(tags.map { $0.text(at: "Value") } == (expected + expected.reversed()).map { " \($0)\u{A0}" })
    }

    @Test("an element made by hand equals the parsed one, wherever each is stored")
    func handMadeElements() throws {
        let parsed = try AWSXMLParser.parse(
            Data("<s3:R xmlns:s3=\"u\"><A k=\"v\">one</A><B><C>two</C></B><A/></s3:R>".utf8))
        let made = AWSXMLElement(
            name: "R", prefix: "s3", attributes: ["xmlns:s3": "u"],
            children: [
                AWSXMLElement(name: "A", attributes: ["k": "v"], text: "one"),
                AWSXMLElement(name: "B", children: [AWSXMLElement(name: "C", text: "two")]),
                AWSXMLElement(name: "A"),
            ])
        #expect(made == parsed)
        #expect(made.children("A").map(\.text) == ["one", ""])
        #expect(made.text(at: "B/C") == "two")
        #expect(made.child("B") == parsed.child("B"))
        #expect(made != AWSXMLElement(name: "R", prefix: "s3", attributes: ["xmlns:s3": "u"]))
        #expect(parsed.child("A") != parsed.children("A")[1])
    }

    @Test("paths: empty steps are skipped, an empty path is the element itself, a missing step is nil")
    func paths() throws {
        let root = try AWSXMLParser.parse(Data("<R><A><B>1</B><B>2</B></A><A><B>3</B></A></R>".utf8))
        #expect(root.element(at: "") == root)
        #expect(root.element(at: "/A//B/")?.text == "1")
        #expect(root.elements(at: "A/B").map(\.text) == ["1", "2"])
        #expect(root.elements(at: "/A/B//").map(\.text) == ["1", "2"])
        #expect(root.elements(at: "A").count == 2)
        #expect(root.elements(at: "/") == [root])
        #expect(root.elements(at: "X/B").isEmpty)
        #expect(root.element(at: "A/X") == nil)
        #expect(root.text(at: "A/B/X") == nil)
    }

    /// Inputs that must be rejected, each for a different reason.
    static let garbage: [String] = [
        "", "   ", "not xml at all", "<", "<a", "<a>", "<a></b>", "<a><b></a></b>", "</a>", "<a/><b/>", "<a/>trailing",
        "text<a/>", "<a>&unknown;</a>", "<a>&amp</a>", "<a>&#xZZ;</a>", "<a>&#0;</a>", "<a>&#xD800;</a>",
        "<a>&#99999999999;</a>", "<a b=1/>", "<a b=\"1\" b=\"2\"/>", "<a b=\"<\"/>", "<a b=\"1\"c=\"2\"/>",
        "<a b/>", "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "<a><!DOCTYPE a></a>", "<a><!-- open</a>",
        "<a><![CDATA[open</a>", "<?xml version=\"1.0\"", "<a>\u{01}</a>", "<1a/>", "<:a/>", "<a:/>", "<a:b:c/>",
        "<a></a >x", "<a>text</a", "<<a/>", "<a><b/></a><c>", "\u{0}", "<a b='1\"/>",
    ]

    @Test("rejects garbage with an error", arguments: garbage)
    func rejectsGarbage(_ input: String) {
        #expect(throws: XMLParseError.self) { try AWSXMLParser.parse(Data(input.utf8)) }
    }

    @Test("rejects invalid UTF-8")
    func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x3C, 0x61, 0x3E, 0xFF, 0xFE, 0x3C, 0x2F, 0x61, 0x3E]  // <a>\xFF\xFE</a>
        #expect(throws: XMLParseError.self) { try AWSXMLParser.parse(Data(bytes)) }
    }

    @Test("rejects every truncation of a real response")
    func rejectsEveryTruncation() throws {
        let bytes = Data(describeDBClustersResponse.utf8)
        #expect(try AWSXMLParser.parse(bytes).name == "DescribeDBClustersResponse")
        var rejected = 0
        for length in 0..<bytes.count {
            #expect(throws: XMLParseError.self, "prefix of \(length) bytes") {
                try AWSXMLParser.parse(bytes.prefix(length))
            }
            rejected += 1
        }
        #expect(rejected == bytes.count)
    }

    @Test("rejects random bytes without crashing")
    func rejectsRandomBytes() {
        var generator = SplitMix64(seed: 0xA0_0A)
        for round in 0..<300 {
            let count = Int(generator.next() % 512)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if round % 2 == 0, !bytes.isEmpty { bytes[0] = UInt8(ascii: "<") }
            #expect(throws: XMLParseError.self) { try AWSXMLParser.parse(Data(bytes)) }
        }
    }

    @Test("enforces depth, size and element limits")
    func enforcesLimits() throws {
        let deep = String(repeating: "<a>", count: 65) + String(repeating: "</a>", count: 65)
        #expect(throws: XMLParseError.self) { try AWSXMLParser.parse(Data(deep.utf8)) }
        let ok = String(repeating: "<a>", count: 64) + String(repeating: "</a>", count: 64)
        #expect(try AWSXMLParser.parse(Data(ok.utf8)).name == "a")
        let big = Data(("<a>" + String(repeating: "x", count: 2000) + "</a>").utf8)
        #expect(throws: XMLParseError.self) { try AWSXMLParser(maxBytes: 1000).parse(big) }
        let many = Data(("<a>" + String(repeating: "<b/>", count: 11) + "</a>").utf8)
        #expect(throws: XMLParseError.self) { try AWSXMLParser(maxElements: 10).parse(many) }
    }

    @Test("indentation around children is not kept as text; a leaf's white space and mixed text are")
    func layoutText() throws {
        let root = try AWSXMLParser.parse(Data(describeDBClustersResponse.utf8))
        let cluster = try #require(root.element(at: "DescribeDBClustersResult/DBClusters/DBCluster"))
        #expect(root.text.isEmpty)
        #expect(cluster.text.isEmpty)
        let mixed = try AWSXMLParser.parse(Data("<a> one <b>  </b> two </a>".utf8))
        #expect(mixed.text == " one  two ")
        #expect(mixed.child("b")?.text == "  ")
    }

    @Test("end tags must spell their start tag byte for byte, also for names seen before")
    func endTagsMatchByBytes() {
        // "é" precomposed in the start tag, decomposed (e + U+0301) in the end tag: equal as Swift strings, not in XML.
        #expect(throws: XMLParseError.self) {
            try AWSXMLParser.parse(Data("<r><\u{E9}>x</\u{E9}><\u{E9}>y</e\u{301}></r>".utf8))
        }
        #expect(throws: XMLParseError.self) { try AWSXMLParser.parse(Data("<r><ab>x</ab><ab>y</abc></r>".utf8)) }
    }

    @Test("error descriptions are sentences with the offset")
    func errorDescription() {
        let error = #expect(throws: XMLParseError.self) { try AWSXMLParser.parse(Data("<a></b>".utf8)) }
        #expect(error?.offset == 7)
        #expect(error?.description.contains("does not match") == true)
    }
}
