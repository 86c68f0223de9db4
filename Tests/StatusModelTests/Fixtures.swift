import Foundation

/// 2023-11-14T22:13:20Z, the time the model tests start at (the store tests' `startTime`).
let startTime = Date(timeIntervalSince1970: 1_700_000_000)
