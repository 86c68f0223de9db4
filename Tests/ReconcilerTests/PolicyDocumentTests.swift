import Foundation
import Reconciler
import Testing

@Suite("Policy documents: semantic comparison and evaluation")
struct PolicyDocumentTests {
    static let inline = ManagedResources.inlinePolicy(bucket: "my-import-bucket", partition: "aws")

    @Test(arguments: [
        // As IAM returns it: URL-encoded.
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22"
            + "%3A%7B%22Service%22%3A%22rds.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
        // Reordered keys, array forms, a Sid, different action case, whitespace.
        """
        { "Statement": { "Sid": "", "Action": ["STS:AssumeRole"], "Principal": { "Service": ["rds.amazonaws.com"] },
          "Effect": "Allow" }, "Version": "2012-10-17" }
        """,
    ])
    func trustPolicyFormsAreEqual(text: String) throws {
        #expect(try PolicyDocument(parsing: text) == ManagedResources.trustPolicy())
    }

    @Test func inlinePolicyIgnoresStatementAndArrayOrder() throws {
        let text = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-import-bucket/*"},
              {"Effect":"Allow","Action":["s3:GetBucketLocation","s3:ListBucket","s3:ListBucket"],
               "Resource":["arn:aws:s3:::my-import-bucket"]}]}
            """
        #expect(try PolicyDocument(parsing: text) == Self.inline)
    }

    static let getObject = #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-import-bucket/*"}"#
    static func list(_ effect: String, _ bucket: String) -> String {
        #"{"Effect":"\#(effect)","Action":["s3:ListBucket","s3:GetBucketLocation"],"#
            + #""Resource":"arn:aws:s3:::\#(bucket)"}"#
    }

    @Test(arguments: [
        #"{"Version":"2012-10-17","Statement":[\#(getObject)]}"#,
        #"{"Version":"2012-10-17","Statement":[\#(list("Allow", "other")),\#(getObject)]}"#,
        #"{"Version":"2012-10-17","Statement":[\#(list("Deny", "my-import-bucket")),\#(getObject)]}"#,
        #"{"Version":"2008-10-17","Statement":[\#(list("Allow", "my-import-bucket")),\#(getObject)]}"#,
    ])
    func differentPoliciesAreNotEqual(text: String) throws {
        #expect(try PolicyDocument(parsing: text) != Self.inline)
    }

    @Test func starPrincipalEqualsAWSStar() throws {
        let star = try PolicyDocument(parsing: #"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"}]}"#)
        let aws = try PolicyDocument(
            parsing: #"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:*"]}]}"#)
        #expect(star == aws)
    }

    @Test func conditionScalarsCompareAsStrings() throws {
        let deny = #"{"Statement":[{"Effect":"Deny","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"#
        let bool = try PolicyDocument(parsing: deny + #"false}}}]}"#)
        let text = try PolicyDocument(parsing: deny + #"["false"]}}}]}"#)
        #expect(bool == text)
    }

    @Test(arguments: [
        "not json", "[]", #"{"Statement":"x"}"#, #"{"Statement":[{"Action":"s3:*"}]}"#,
        #"{"Statement":[{"Effect":"Allow","Action":[1]}]}"#,
    ])
    func malformedDocumentsThrow(text: String) {
        #expect(throws: PolicyDocumentError.self) { try PolicyDocument(parsing: text) }
    }

    @Test func renderedJSONIsDeterministicAndRoundTrips() throws {
        #expect(
            Self.inline.json
                == #"{"Statement":[{"Action":["s3:GetBucketLocation","s3:ListBucket"],"Effect":"Allow","#
                + #""Resource":["arn:aws:s3:::my-import-bucket"]},{"Action":["s3:GetObject"],"Effect":"Allow","#
                + #""Resource":["arn:aws:s3:::my-import-bucket/*"]}],"Version":"2012-10-17"}"#)
        #expect(try PolicyDocument(parsing: Self.inline.json) == Self.inline)
        #expect(
            ManagedResources.trustPolicy().json
                == #"{"Statement":[{"Action":["sts:AssumeRole"],"Effect":"Allow","#
                + #""Principal":{"Service":["rds.amazonaws.com"]}}],"Version":"2012-10-17"}"#)
    }

    @Test(arguments: [
        ("s3:*", "s3:GetObject", true, true), ("s3:Get*", "s3:GetObject", true, true),
        ("s3:get*", "s3:GetObject", true, true), ("s3:get*", "s3:GetObject", false, false),
        ("s3:?etObject", "s3:GetObject", false, true), ("s3:GetObject", "s3:GetObjectAcl", false, false),
        ("*", "anything", false, true), ("a*b*c", "aXXbYYc", false, true), ("a*b", "a*xb", false, true),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/backup/*", false, true),
        ("arn:aws:s3:::b/backup/*", "arn:aws:s3:::b/*", false, false), ("", "", false, true), ("", "x", false, false),
    ])
    func wildcardMatching(pattern: String, value: String, caseInsensitive: Bool, expected: Bool) {
        #expect(
            PolicyEvaluation.wildcardMatch(pattern: pattern, value: value, caseInsensitive: caseInsensitive)
                == expected)
    }

    @Test func allowsHonoursDenyNotActionAndPrefixScopedGrants() throws {
        let prefixOnly = PolicyDocument(statements: [
            PolicyStatement(actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/backup/*"])
        ])
        #expect(PolicyEvaluation.allows([prefixOnly], action: "s3:GetObject", resource: "arn:aws:s3:::b/backup/*"))
        #expect(!PolicyEvaluation.allows([prefixOnly], action: "s3:GetObject", resource: "arn:aws:s3:::b/*"))
        let notAction = PolicyDocument(statements: [
            PolicyStatement(notActions: ["s3:Delete*"], resources: ["*"])
        ])
        #expect(PolicyEvaluation.allows([notAction], action: "s3:ListBucket", resource: "arn:aws:s3:::b"))
        #expect(!PolicyEvaluation.allows([notAction], action: "s3:DeleteObject", resource: "arn:aws:s3:::b/x"))
        let deny = PolicyDocument(statements: [
            PolicyStatement(effect: "Deny", actions: ["s3:ListBucket"], resources: ["*"])
        ])
        #expect(
            !PolicyEvaluation.allows(
                [Self.inline, deny], action: "s3:ListBucket",
                resource: "arn:aws:s3:::my-import-bucket"))
        #expect(
            PolicyEvaluation.allows(
                [Self.inline, deny], action: "s3:GetObject",
                resource: "arn:aws:s3:::my-import-bucket/backup/*"))
    }

    @Test func trustRequiresRDSAndAssumeRole() throws {
        #expect(PolicyEvaluation.trusts(ManagedResources.trustPolicy(), service: "rds.amazonaws.com"))
        let ec2 = PolicyDocument(statements: [
            PolicyStatement(principal: ["Service": ["ec2.amazonaws.com"]], actions: ["sts:AssumeRole"])
        ])
        #expect(!PolicyEvaluation.trusts(ec2, service: "rds.amazonaws.com"))
        let tagOnly = PolicyDocument(statements: [
            PolicyStatement(principal: ["Service": ["rds.amazonaws.com"]], actions: ["sts:TagSession"])
        ])
        #expect(!PolicyEvaluation.trusts(tagOnly, service: "rds.amazonaws.com"))
        let stsStar = PolicyDocument(statements: [
            PolicyStatement(principal: ["Service": ["rds.amazonaws.com", "ec2.amazonaws.com"]], actions: ["sts:*"])
        ])
        #expect(PolicyEvaluation.trusts(stsStar, service: "rds.amazonaws.com"))
    }
}
