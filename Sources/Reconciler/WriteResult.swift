/// What AWS's answer to a successful write tells of AWS afterwards, so the kept observation (`FleetObserver`) can
/// take the write in without reading again.
public enum WriteResult: Sendable, Equatable {
    /// AWS now holds exactly the write's expected effect (`ObservedState.applyExpectedEffect(of:)`): IAM's policy,
    /// tag and boundary writes change exactly what they name and are done when they return.
    case expected
    /// CreateRole's answer: the expected role, under the ARN IAM gave it.
    case createdRole(arn: String)
    /// The answer does not tell what AWS holds now (RDS and EC2 go on working after the call), or the write
    /// failed: the spec's next observation reads again.
    case unknown
}
