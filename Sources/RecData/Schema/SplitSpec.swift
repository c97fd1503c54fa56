/// How rows of one file are divided among the training, validation and test splits.
///
/// Each row goes to a split decided by a hash of its position and the seed, so the division is
/// reproducible and needs no second pass.
public struct SplitSpec: Codable, Sendable, Equatable {
    /// The share of rows for validation.
    public var validation: Double
    /// The share of rows for testing.
    public var test: Double
    /// The seed of the division.
    public var seed: UInt64

    /// A division with the given shares; the rest trains.
    public init(validation: Double = 0.1, test: Double = 0.1, seed: UInt64 = 2023) {
        self.validation = validation
        self.test = test
        self.seed = seed
    }
}

/// How an event log (one row per user action) becomes samples.
///
/// Each (user, item) pair whose first `impression` event happens at time t is one sample; its labels say
/// whether the user performs each label's behaviour on that item at or after t, and its sequences hold the
/// user's items of each behaviour type strictly before t, oldest first. Samples with t before
/// `validationFrom` train, those before `testFrom` validate, the rest test.
public struct EventLogSpec: Codable, Sendable, Equatable {
    /// The column with the user id.
    public var user: String
    /// The column with the item id.
    public var item: String
    /// The column with the behaviour type.
    public var behaviour: String
    /// The column with the event time (integer seconds).
    public var timestamp: String
    /// The behaviour type whose first occurrence per (user, item) makes a sample.
    public var impression: String
    /// Samples at or after this time form the validation split.
    public var validationFrom: Int64
    /// Samples at or after this time form the test split.
    public var testFrom: Int64

    /// An event-log layout.
    public init(
        user: String, item: String, behaviour: String, timestamp: String, impression: String,
        validationFrom: Int64, testFrom: Int64
    ) {
        self.user = user
        self.item = item
        self.behaviour = behaviour
        self.timestamp = timestamp
        self.impression = impression
        self.validationFrom = validationFrom
        self.testFrom = testFrom
    }
}
