import AWSCore
import Foundation
import Testing

/// Region and endpoint resolution: precedence, partitions, global endpoints, custom URLs and their validation.
@Suite struct EndpointTests {
    @Test func regionPrecedenceIsExplicitThenEnvironmentThenProfile() throws {
        let environment = ["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-central-1"]
        #expect(
            try AWSEndpoints.resolveRegion(
                explicit: "us-west-2", environment: environment,
                profileRegion: "ap-south-1")
                == ResolvedRegion(name: "us-west-2", source: "explicit"))
        #expect(
            try AWSEndpoints.resolveRegion(environment: environment, profileRegion: "ap-south-1")
                == ResolvedRegion(name: "eu-west-1", source: "AWS_REGION"))
        #expect(
            try AWSEndpoints.resolveRegion(
                environment: ["AWS_REGION": "", "AWS_DEFAULT_REGION": "eu-central-1"],
                profileRegion: "ap-south-1")
                == ResolvedRegion(name: "eu-central-1", source: "AWS_DEFAULT_REGION"))
        #expect(
            try AWSEndpoints.resolveRegion(environment: [:], profileRegion: "ap-south-1")
                == ResolvedRegion(name: "ap-south-1", source: "profile"))
    }

    @Test func aMissingOrMalformedRegionIsAClearError() {
        #expect(throws: EndpointError.noRegion) { try AWSEndpoints.resolveRegion(environment: [:]) }
        #expect(throws: EndpointError.invalidRegion("eu_west_1", source: "AWS_REGION")) {
            try AWSEndpoints.resolveRegion(environment: ["AWS_REGION": "eu_west_1"])
        }
        #expect(throws: EndpointError.invalidRegion("EU-WEST-1", source: "explicit")) {
            try AWSEndpoints.resolveRegion(explicit: "EU-WEST-1", environment: [:])
        }
        #expect(EndpointError.noRegion.description.contains("AWS_REGION"))
    }

    @Test(arguments: [
        (AWSService.rds, "eu-west-1", "rds.eu-west-1.amazonaws.com", "eu-west-1"),
        (.sts, "eu-west-1", "sts.eu-west-1.amazonaws.com", "eu-west-1"),
        (.sts, "us-east-1", "sts.us-east-1.amazonaws.com", "us-east-1"),
        (.s3, "eu-west-1", "s3.eu-west-1.amazonaws.com", "eu-west-1"),
        (.iam, "eu-west-1", "iam.amazonaws.com", "us-east-1"),
        (.iam, "cn-northwest-1", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        (.iam, "us-gov-east-1", "iam.us-gov.amazonaws.com", "us-gov-west-1"),
        (.rds, "cn-north-1", "rds.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        (.s3, "cn-northwest-1", "s3.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"),
        (.sts, "us-gov-west-1", "sts.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
        (.ec2, "eu-west-1", "ec2.eu-west-1.amazonaws.com", "eu-west-1"),
        (.ec2, "cn-north-1", "ec2.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        (.ec2, "us-gov-west-1", "ec2.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
    ])
    func defaultEndpoints(service: AWSService, region: String, host: String, signingRegion: String) throws {
        let endpoint = try AWSEndpoints.resolveEndpoint(service: service, region: region, environment: [:])
        #expect(
            endpoint
                == ResolvedEndpoint(
                    scheme: "https", host: host, port: nil, basePath: "",
                    signingRegion: signingRegion, signingName: service.rawValue,
                    source: "default"))
    }

    @Test func serviceVariableBeatsGlobalVariableWhichBeatsDefault() throws {
        let environment = [
            "AWS_ENDPOINT_URL_RDS": "http://127.0.0.1:5000/", "AWS_ENDPOINT_URL": "https://local.test:8443",
        ]
        let rds = try AWSEndpoints.resolveEndpoint(service: .rds, region: "eu-west-1", environment: environment)
        #expect(
            rds
                == ResolvedEndpoint(
                    scheme: "http", host: "127.0.0.1", port: 5000, basePath: "",
                    signingRegion: "eu-west-1", signingName: "rds", source: "AWS_ENDPOINT_URL_RDS"))
        let iam = try AWSEndpoints.resolveEndpoint(service: .iam, region: "eu-west-1", environment: environment)
        #expect(iam.source == "AWS_ENDPOINT_URL" && iam.host == "local.test" && iam.port == 8443)
        let ec2 = try AWSEndpoints.resolveEndpoint(
            service: .ec2, region: "eu-west-1",
            environment: environment.merging(["AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:5001"]) { $1 })
        #expect(
            ec2
                == ResolvedEndpoint(
                    scheme: "http", host: "127.0.0.1", port: 5001, basePath: "",
                    signingRegion: "eu-west-1", signingName: "ec2", source: "AWS_ENDPOINT_URL_EC2"))
        #expect(iam.signingRegion == "eu-west-1", "a custom endpoint is signed for the configured region")
        let explicit = try AWSEndpoints.resolveEndpoint(
            service: .rds, region: "eu-west-1", environment: environment,
            explicitURL: "https://vpce.example:443/base/")
        #expect(
            explicit.source == "explicit" && explicit.basePath == "/base"
                && explicit.description
                    == "https://vpce.example:443/base"
        )
    }

    @Test func ignoreConfiguredEndpointURLsFallsBackToDefaults() throws {
        let environment = [
            "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
        ]
        #expect(
            try AWSEndpoints.resolveEndpoint(service: .s3, region: "eu-west-1", environment: environment).source
                == "default")
    }

    @Test(arguments: [
        ("ftp://example.com", "the scheme must be https or http"), ("127.0.0.1:5000", "it does not parse as a URL"),
        ("http://", "it has no host"), ("https://user:pw@example.com", "it must not carry user info"),
        ("https://example.com/?a=b", "it must not have a query or fragment"),
    ])
    func invalidEndpointURLsAreRejected(url: String, reason: String) {
        #expect(throws: EndpointError.invalidEndpoint(url, source: "AWS_ENDPOINT_URL_STS", reason: reason)) {
            try AWSEndpoints.resolveEndpoint(
                service: .sts, region: "eu-west-1",
                environment: ["AWS_ENDPOINT_URL_STS": url])
        }
    }

    @Test func isolatedPartitionsNeedAnExplicitEndpoint() throws {
        #expect(throws: EndpointError.unsupportedPartition("us-iso-east-1", service: .rds)) {
            try AWSEndpoints.resolveEndpoint(service: .rds, region: "us-iso-east-1", environment: [:])
        }
        let custom = try AWSEndpoints.resolveEndpoint(
            service: .rds, region: "us-iso-east-1",
            environment: ["AWS_ENDPOINT_URL": "https://rds.example"])
        #expect(custom.host == "rds.example")
    }

    @Test func s3RequestsUsePathStyleUnderTheBasePath() throws {
        let environment = ["AWS_ENDPOINT_URL": "http://127.0.0.1:9000/minio"]
        let endpoint = try AWSEndpoints.resolveEndpoint(service: .s3, region: "us-east-1", environment: environment)
        #expect(endpoint.usesPathStyleAddressing)
        let request = endpoint.request(method: "GET", path: "/backups/a b.xbstream")
        #expect(request.urlString == "http://127.0.0.1:9000/minio/backups/a%20b.xbstream")
        #expect(endpoint.request(method: "GET").path == "/minio")
    }

    @Test func servicesCarryTheirModelFacts() {
        #expect(
            AWSService.allCases.map(\.apiVersion)
                == ["2016-11-15", "2010-05-08", "2014-10-31", "2006-03-01", "2011-06-15"])
        #expect(
            AWSService.allCases.map(\.endpointEnvironmentVariable)
                == [
                    "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_RDS", "AWS_ENDPOINT_URL_S3",
                    "AWS_ENDPOINT_URL_STS",
                ])
        #expect(AWSService.s3.wireProtocol == .restXML && AWSService.rds.wireProtocol == .query)
        #expect(AWSService.ec2.wireProtocol == .ec2 && AWSService.ec2.signer(region: "eu-west-1").service == "ec2")
        #expect(AWSService.s3.signer(region: "us-east-1").contentSHA256Header)
        #expect(AWSService.iam.signer(region: "us-east-1").uriEncodingMode == .double)
    }
}
