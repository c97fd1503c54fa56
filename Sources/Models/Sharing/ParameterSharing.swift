import NN
import Tensor

/// Which parameters of a multi-task model the tasks share and which belong to one task,
/// as named groups of parameter tensors (or rows of them).
///
/// A parameter is *shared* when more than one task's loss sends it a gradient (the
/// embeddings, a shared bottom, MMoE's experts, …) and *task-specific* when only one does
/// (a tower, a task's gate, DTRN's per-task field gates). Every parameter of the model is in
/// exactly one group, and a task-specific group lists each task's own part:
///
/// ```swift
/// let sharing = model.parameterSharing
/// for group in sharing.groups where group.isShared { print(group.name) }   // embeddings, experts
/// sharing.group(named: "towers")?.perTask[1]                               // task 1's tower
/// ```
///
/// The per-task lists of a task-specific group are aligned: every task that has a part has
/// one of the same shapes, in the same order (task 0's tower beside task 1's), so that the
/// gradient one task sends its copy can be compared with the gradient another task sends its
/// own. A task may have no part in a group (ESMM's click task has no conversion tower).
public struct ParameterSharing {
    /// A parameter tensor, or a range of its rows (one task's row of a per-task table).
    public struct Slice {
        /// The parameter.
        public let tensor: Tensor
        /// The rows of `tensor` (along its first axis) meant, or nil for all of it.
        public let rows: Range<Int>?

        /// All of `tensor`, or its `rows`.
        public init(_ tensor: Tensor, rows: Range<Int>? = nil) {
            precondition(rows.map { $0.lowerBound >= 0 && $0.upperBound <= (tensor.shape.first ?? 1) } ?? true,
                         "rows \(rows!) outside a tensor of shape \(tensor.shape)")
            self.tensor = tensor
            self.rows = rows
        }

        /// The number of scalars meant.
        public var count: Int {
            guard let rows else { return tensor.count }
            return rows.count * (tensor.count / max(1, tensor.shape.first ?? 1))
        }
    }

    /// A named group of parameters, shared by the tasks or split among them.
    public struct Group {
        /// The group's name (`embeddings`, `shared-bottom`, `experts`, `towers`, …).
        public let name: String
        /// The parameters every task reads, for a shared group (empty otherwise).
        public let shared: [Slice]
        /// Each task's own parameters, for a task-specific group (empty otherwise).
        public let perTask: [[Slice]]

        /// Whether the tasks share this group.
        public var isShared: Bool { perTask.isEmpty }

        /// A group of parameters every task reads: those of `modules` and the `tensors`.
        public static func shared(_ name: String, _ modules: [Module], tensors: [Tensor] = []) -> Group {
            Group(name: name, shared: (modules.flatMap { $0.parameters().map(\.tensor) } + tensors).map { Slice($0) },
                  perTask: [])
        }

        /// A task-specific group: task t's parameters are those of `modules[t]` and `slices[t]`.
        public static func perTask(_ name: String, _ modules: [[Module]], slices: [[Slice]]? = nil) -> Group {
            let parts = modules.enumerated().map { t, owned in
                owned.flatMap { $0.parameters().map { Slice($0.tensor) } } + (slices?[t] ?? [])
            }
            return Group(name: name, shared: [], perTask: parts)
        }

        /// This group as a shared one: every task's parts together.
        func mergingTasks() -> Group {
            isShared ? self : Group(name: name, shared: perTask.flatMap { $0 }, perTask: [])
        }
    }

    /// The groups, shared ones from the input upwards, then task-specific ones.
    public let groups: [Group]
    /// The parameters of the last layer every task reads (where GradNorm measures each task's
    /// gradient norm); empty when the tasks share nothing.
    public let lastSharedLayer: [Tensor]

    /// Sharing described by `groups` (empty ones are dropped) and the last shared layer.
    public init(groups: [Group], lastSharedLayer: [Tensor]) {
        let kept = groups.filter { !$0.shared.isEmpty || $0.perTask.contains { !$0.isEmpty } }
        self.groups = kept.filter(\.isShared) + kept.filter { !$0.isShared }
        self.lastSharedLayer = lastSharedLayer
    }

    /// The group called `name`, if any.
    public func group(named name: String) -> Group? {
        groups.first { $0.name == name }
    }

    /// Every shared parameter.
    public var sharedSlices: [Slice] { groups.flatMap(\.shared) }

    /// `lower`'s groups (the input part of a model) under `upper`'s (the part above it); the
    /// last shared layer is `upper`'s, or `lower`'s when nothing above the input is shared.
    public static func stacking(_ lower: ParameterSharing, under upper: ParameterSharing) -> ParameterSharing {
        ParameterSharing(groups: lower.groups + upper.groups,
                         lastSharedLayer: upper.lastSharedLayer.isEmpty ? lower.lastSharedLayer : upper.lastSharedLayer)
    }
}
