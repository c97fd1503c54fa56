import Models

/// One diagnosed training step, as one line of `runs/NAME/diagnostics.jsonl`: each task's
/// loss, and per parameter group each task's gradient norm and every pair of tasks' gradient
/// cosine with the running conflict rate.
public struct ConflictRecord: Codable, Sendable, Equatable {
    /// Two tasks' gradients compared on a group.
    public struct Pair: Codable, Sendable, Equatable {
        public var a: String
        public var b: String
        /// `⟨g_a, g_b⟩ / (‖g_a‖ ‖g_b‖)`, 0 when either gradient is zero.
        public var cosine: Double
        /// The fraction of the run's diagnosed steps so far (this one included) whose cosine
        /// on this group was negative.
        public var conflictRate: Double
    }

    /// The measures of one parameter group.
    public struct Group: Codable, Sendable, Equatable {
        public var name: String
        /// Whether the tasks share the group (false for the task-specific comparison).
        public var shared: Bool
        /// Each task's gradient norm on the group.
        public var norms: [Double]
        public var pairs: [Pair]
    }

    /// Optimiser steps taken before this one.
    public var step: Int
    /// The epoch (from 1).
    public var epoch: Int
    public var tasks: [String]
    /// Each task's loss on the batch, before task weighting.
    public var taskLoss: [Double]
    /// Every shared group, then `overall-shared` (all shared parameters together), then
    /// `task-specific`.
    public var groups: [Group]
}

/// Measures gradient conflict between tasks from their separate gradients on one batch, and
/// keeps the running conflict counts of a run.
///
/// A shared group compares the tasks' gradients on the same parameters. The task-specific
/// parameters cannot conflict — task b's gradient on task a's tower is zero, so the cosine
/// over their union is 0 by construction and says nothing. The `task-specific` group instead
/// compares each task's gradient on *its own* part with the other task's gradient on *its own*
/// part, position by position (tower a's first weight against tower b's first weight, TRM gate
/// a against gate b, task embedding z_a against z_b), over the groups where both tasks have a
/// part: the conflict the two tasks would have if those parameters were tied into one.
/// Its norms are each task's gradient norm on all of its own parameters.
public final class GradientConflictMonitor {
    /// The model's sharing.
    public let sharing: ParameterSharing
    /// The task names.
    public let tasks: [String]
    /// Steps diagnosed so far.
    public private(set) var diagnosedSteps = 0
    private var conflicts: [String: [Int]] = [:]
    private let pairs: [(Int, Int)]

    /// A monitor of `sharing` for the tasks named `tasks`.
    public init(sharing: ParameterSharing, tasks: [String]) {
        self.sharing = sharing
        self.tasks = tasks
        pairs = tasks.indices.flatMap { a in ((a + 1)..<tasks.count).map { (a, $0) } }
    }

    /// The group names of a record, in order.
    var groupNames: [String] {
        sharing.groups.filter(\.isShared).map(\.name) + (sharing.sharedSlices.isEmpty ? [] : ["overall-shared"])
            + (sharing.groups.contains { !$0.isShared } ? ["task-specific"] : [])
    }

    /// Continues the counts of `records`, the run's earlier diagnosed steps in order.
    public func resume(from records: [ConflictRecord]) {
        diagnosedSteps = records.count
        conflicts = [:]
        guard let last = records.last else { return }
        for group in last.groups {
            conflicts[group.name] = group.pairs.map { Int(($0.conflictRate * Double(records.count)).rounded()) }
        }
    }

    /// The record of a step whose tasks' gradients and losses are `gradients` and `losses`.
    func record(step: Int, epoch: Int, gradients g: [TaskGradient], losses: [Double]) -> ConflictRecord {
        diagnosedSteps += 1
        var groups: [ConflictRecord.Group] = []
        func add(_ name: String, shared: Bool, norms: [Double], dot: (Int, Int) -> (dot: Double, a: Double, b: Double)) {
            var counts = conflicts[name] ?? Array(repeating: 0, count: pairs.count)
            let measured = pairs.enumerated().map { k, pair in
                let (d, na, nb) = dot(pair.0, pair.1)
                let cosine = na > 0 && nb > 0 ? d / (na * nb).squareRoot() : 0
                if cosine < 0 { counts[k] += 1 }
                return ConflictRecord.Pair(a: tasks[pair.0], b: tasks[pair.1], cosine: cosine,
                                           conflictRate: Double(counts[k]) / Double(diagnosedSteps))
            }
            conflicts[name] = counts
            groups.append(.init(name: name, shared: shared, norms: norms, pairs: measured))
        }
        func addShared(_ name: String, _ slices: [ParameterSharing.Slice]) {
            let squares = g.map { $0.squaredNorm(slices) }
            add(name, shared: true, norms: squares.map { $0.squareRoot() }) { a, b in
                (g[a].dot(slices, g[b], slices), squares[a], squares[b])
            }
        }
        for group in sharing.groups where group.isShared { addShared(group.name, group.shared) }
        if !sharing.sharedSlices.isEmpty { addShared("overall-shared", sharing.sharedSlices) }
        let own = sharing.groups.filter { !$0.isShared }.map(\.perTask)
        if !own.isEmpty {
            let norms = g.indices.map { t in own.reduce(0) { $0 + g[t].squaredNorm($1[t]) }.squareRoot() }
            add("task-specific", shared: false, norms: norms) { a, b in
                own.filter { !$0[a].isEmpty && !$0[b].isEmpty }.reduce((0.0, 0.0, 0.0)) { sum, parts in
                    (sum.0 + g[a].dot(parts[a], g[b], parts[b]), sum.1 + g[a].squaredNorm(parts[a]),
                     sum.2 + g[b].squaredNorm(parts[b]))
                }
            }
        }
        return ConflictRecord(step: step, epoch: epoch, tasks: tasks, taskLoss: losses, groups: groups)
    }
}
