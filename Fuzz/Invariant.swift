/// Stops the run with `message` when an invariant does not hold, so libFuzzer saves the input as a reproducer.
func invariant(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("fuzz invariant broken: \(message())") }
}
