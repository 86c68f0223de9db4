import AWSCore

/// The settings of one token bucket of aurorad's AWS request budget: `perSecond` requests a second sustained, up to
/// `burst` at once after a quiet period.
public struct RequestRate: Equatable, Sendable {
    /// Tokens added per second.
    public var perSecond: Double
    /// Tokens that can be spent at once.
    public var burst: Int

    /// A rate of `perSecond` with `burst`.
    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }
}

extension RequestRate {
    /// `[aws] requests_per_second` and `burst`: the operator's cap on aurorad's total AWS rate, over all services.
    /// Above what RDS and IAM take together by default (32/s), so the per-service buckets bind first.
    public static let awsTotal = RequestRate(perSecond: 40, burst: 600)
}

/// One request rate per AWS service (`[aws.<service>] requests_per_second`, `burst`).
///
/// The defaults follow AWS's published throttling where there is one. AWS throttles each service separately, per
/// account and Region, and other tools of the account share those limits (lower a rate to leave them room):
/// - rds: the documented default, "up to 300 requests in a burst and a sustained 12 requests per second" for all
///   RDS APIs together (RDS User Guide, "Request throttling for the Amazon RDS API").
/// - ec2: 5/s, burst 50: the strictest documented bucket among the actions aurorad calls (mutating actions such as
///   CreateSecurityGroup, and the resource-intensive AuthorizeSecurityGroupIngress and RevokeSecurityGroupIngress:
///   50 tokens, 5 a second; the describes it pages with MaxResults have 100 and 20) (EC2 Developer Guide, "Request
///   throttling for the Amazon EC2 API"). One bucket for every EC2 action never exceeds any of AWS's.
/// - iam: AWS publishes no rate ("depends on the API"); 20/s, burst 200 lets 100 specs' 200 writes (CreateRole,
///   PutRolePolicy) and the account-wide role reads go out within about 10 s, a moderate pace for an account-wide
///   control plane shared with other tools.
/// - sts: no published rate either; the daemon calls it only to obtain or refresh its credentials (AssumeRole,
///   AssumeRoleWithWebIdentity), so 10/s, burst 20 is ample.
/// - s3: S3 serves at least 5,500 GET/HEAD requests a second per partitioned prefix (S3 User Guide, "Best practices
///   design patterns: optimizing Amazon S3 performance"); aurorad's few preflight reads need little, so 100/s,
///   burst 300 never binds in practice.
public struct AWSServiceRates: Equatable, Sendable {
    /// `[aws.ec2]`.
    public var ec2 = RequestRate(perSecond: 5, burst: 50)
    /// `[aws.iam]`.
    public var iam = RequestRate(perSecond: 20, burst: 200)
    /// `[aws.rds]`.
    public var rds = RequestRate(perSecond: 12, burst: 300)
    /// `[aws.s3]`.
    public var s3 = RequestRate(perSecond: 100, burst: 300)
    /// `[aws.sts]`.
    public var sts = RequestRate(perSecond: 10, burst: 20)

    /// The defaults above.
    public init() {}

    /// The rate of `service`.
    public subscript(service: AWSService) -> RequestRate {
        get {
            switch service {
            case .ec2: ec2
            case .iam: iam
            case .rds: rds
            case .s3: s3
            case .sts: sts
            }
        }
        set {
            switch service {
            case .ec2: ec2 = newValue
            case .iam: iam = newValue
            case .rds: rds = newValue
            case .s3: s3 = newValue
            case .sts: sts = newValue
            }
        }
    }
}
