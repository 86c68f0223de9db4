import AWSCore
import AWSServices
import Foundation
import Testing

/// IAM answers in the shape of the IAM API Reference's sample responses.
@Suite("IAM request encoding and response parsing")
struct IAMParsingTests {
    static let getRole = """
        <GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
          <GetRoleResult>
            <Role>
              <Path>/application_abc/component_xyz/</Path>
              <Arn>arn:aws:iam::123456789012:role/application_abc/component_xyz/S3Access</Arn>
              <RoleName>S3Access</RoleName>
              <AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%5B%22ec2.amazonaws.com%22%5D%7D%2C%22Action%22%3A%5B%22sts%3AAssumeRole%22%5D%7D%5D%7D</AssumeRolePolicyDocument>
              <CreateDate>2012-05-08T23:34:01Z</CreateDate>
              <RoleId>AROADBQP57FF2AEXAMPLE</RoleId>
              <RoleLastUsed><LastUsedDate>2019-11-20T17:09:20Z</LastUsedDate><Region>us-east-1</Region></RoleLastUsed>
              <Tags><member><Key>managed-by</Key><Value>aurorad</Value></member></Tags>
            </Role>
          </GetRoleResult>
          <ResponseMetadata><RequestId>df37e965-9967-11e1-a4c3-270EXAMPLE04</RequestId></ResponseMetadata>
        </GetRoleResponse>
        """

    @Test("GetRole: role fields, URL-decoded trust policy, tags; request parameters")
    func getRole() throws {
        let transport = StubTransport(bodies: [Self.getRole])
        let role = try #require(try IAMClient(client: StubTransport.client(transport)).getRole(roleName: "S3Access"))
        #expect(role.roleName == "S3Access")
        #expect(role.roleId == "AROADBQP57FF2AEXAMPLE")
        #expect(role.path == "/application_abc/component_xyz/")
        #expect(role.assumeRolePolicyDocument?.hasPrefix(#"{"Version":"2012-10-17","Statement":[{"Effect""#) == true)
        #expect(role.tags == [AWSTag(key: "managed-by", value: "aurorad")])
        let request = transport.requests[0]
        #expect(request.host == "iam.amazonaws.com")
        #expect(request.method == "POST")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(request.header("Authorization")?.contains("/us-east-1/iam/aws4_request") == true)
        #expect(transport.form(0) == ["Action": "GetRole", "Version": "2010-05-08", "RoleName": "S3Access"])
    }

    @Test("NoSuchEntity makes GetRole nil; other errors are thrown with code and request id")
    func notFound() throws {
        let missing = """
            <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>
            <Code>NoSuchEntity</Code><Message>The role with name x cannot be found.</Message></Error>
            <RequestId>4c3c4b5e-EXAMPLE</RequestId></ErrorResponse>
            """
        let denied = missing.replacingOccurrences(of: "NoSuchEntity", with: "AccessDenied")
        let transport = StubTransport([
            HTTPResponse(status: 404, body: Data(missing.utf8)), HTTPResponse(status: 403, body: Data(denied.utf8)),
        ])
        let iam = IAMClient(client: try StubTransport.client(transport))
        #expect(try iam.getRole(roleName: "x") == nil)
        let error = try #require(throws: AWSError.self) { try iam.getRole(roleName: "x") }
        #expect(error.code == "AccessDenied")
        #expect(error.requestId == "4c3c4b5e-EXAMPLE")
        #expect(error.service == "IAM" && error.action == "GetRole")
    }

    @Test("CreateRole sends Tags.member.N and reads the new role")
    func createRole() throws {
        let created = Self.getRole.replacingOccurrences(of: "GetRole", with: "CreateRole")
        let transport = StubTransport(bodies: [created])
        let role = try IAMClient(client: StubTransport.client(transport)).createRole(
            roleName: "S3Access", assumeRolePolicyDocument: "{}", path: "/a/", description: "d e",
            tags: [AWSTag(key: "k", value: "v")])
        #expect(role.arn == "arn:aws:iam::123456789012:role/application_abc/component_xyz/S3Access")
        #expect(
            transport.form(0) == [
                "Action": "CreateRole", "Version": "2010-05-08", "Path": "/a/", "RoleName": "S3Access",
                "AssumeRolePolicyDocument": "{}", "Description": "d e", "Tags.member.1.Key": "k",
                "Tags.member.1.Value": "v",
            ])
        #expect(String(decoding: transport.requests[0].body, as: UTF8.self).contains("Description=d%20e"))
    }

    @Test("ListRolePolicies follows Marker while IsTruncated")
    func listRolePoliciesPages() throws {
        let page = { (names: [String], marker: String?) in
            """
            <ListRolePoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolePoliciesResult>
            <PolicyNames>\(names.map { "<member>\($0)</member>" }.joined())</PolicyNames>
            <IsTruncated>\(marker != nil)</IsTruncated>\(marker.map { "<Marker>\($0)</Marker>" } ?? "")
            </ListRolePoliciesResult></ListRolePoliciesResponse>
            """
        }
        let transport = StubTransport(bodies: [page(["a"], "m1"), page(["b"], "m2"), page(["c"], nil)])
        let names = try IAMClient(client: StubTransport.client(transport)).listRolePolicies(roleName: "r", maxItems: 1)
        #expect(names == ["a", "b", "c"])
        #expect(transport.requests.count == 3)
        #expect(transport.form(0)["Marker"] == nil)
        #expect(transport.form(1)["Marker"] == "m1")
        #expect(transport.form(2)["Marker"] == "m2")
        #expect(transport.form(2)["MaxItems"] == "1")
    }

    @Test("GetAccountAuthorizationDetails: Filter.member.1=Role, roles with inline and attached policies, pages")
    func accountAuthorizationDetails() throws {
        let first = """
            <GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
            <GetAccountAuthorizationDetailsResult>
            <IsTruncated>true</IsTruncated><Marker>EXAMPLEkakv9BCuUNFDtxWSyfzetYwEx2ADc8dnzfvERF5S6YMvXKx41t6gCl</Marker>
            <UserDetailList/><GroupDetailList/>
            <RoleDetailList><member>
              <RoleId>AROA1234567890EXAMPLE</RoleId>
              <AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument>
              <RolePolicyList><member><PolicyName>S3-read</PolicyName>
                <PolicyDocument>%7B%22Statement%22%3A%5B%5D%7D</PolicyDocument></member></RolePolicyList>
              <AttachedManagedPolicies><member><PolicyName>ReadOnly</PolicyName>
                <PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn></member></AttachedManagedPolicies>
              <Tags><member><Key>managed-by</Key><Value>aurorad</Value></member></Tags>
              <RoleName>EC2role</RoleName><Path>/</Path>
              <Arn>arn:aws:iam::123456789012:role/EC2role</Arn>
              <CreateDate>2014-07-30T17:09:20Z</CreateDate>
            </member></RoleDetailList><Policies/>
            </GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>
            """
        let second = """
            <GetAccountAuthorizationDetailsResponse><GetAccountAuthorizationDetailsResult>
            <IsTruncated>false</IsTruncated><RoleDetailList><member><RoleId>AROB</RoleId><RoleName>other</RoleName>
            <Arn>arn:aws:iam::123456789012:role/other</Arn></member></RoleDetailList>
            </GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>
            """
        let transport = StubTransport(bodies: [first, second])
        let details = try IAMClient(client: StubTransport.client(transport)).listRoleDetails(maxItems: 1)
        #expect(details.map(\.role.roleName) == ["EC2role", "other"])
        #expect(details[0].role.assumeRolePolicyDocument == #"{"Version":"2012-10-17"}"#)
        #expect(
            details[0].inlinePolicies == [IAMInlinePolicy(policyName: "S3-read", policyDocument: #"{"Statement":[]}"#)])
        #expect(details[0].attachedPolicies.map(\.policyArn) == ["arn:aws:iam::aws:policy/ReadOnlyAccess"])
        #expect(details[0].role.tags == [AWSTag(key: "managed-by", value: "aurorad")])
        #expect(details[1].inlinePolicies.isEmpty)
        #expect(transport.form(0)["Filter.member.1"] == "Role")
        #expect(transport.form(1)["Marker"] == "EXAMPLEkakv9BCuUNFDtxWSyfzetYwEx2ADc8dnzfvERF5S6YMvXKx41t6gCl")
    }

    @Test("A 200 answer that is not the action's XML is an AWSResponseError, never a crash")
    func garbage() throws {
        let transport = StubTransport(bodies: [
            "<GetRoleResponse><GetRoleResult><Role><RoleName>x", "not xml", "<Other/>",
        ])
        let iam = IAMClient(client: try StubTransport.client(transport))
        for _ in 0..<3 {
            #expect(throws: AWSResponseError.self) { try iam.getRole(roleName: "x") }
        }
    }
}
