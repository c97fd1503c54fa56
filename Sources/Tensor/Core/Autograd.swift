/// The record of how a tensor was computed: its inputs and the function that
/// propagates the output's gradient back into them.
final class GradFunction {
    /// The op's name, for diagnostics.
    let name: String
    /// The tensors the op read.
    let inputs: [Tensor]
    /// Reads `output.grad` and accumulates into the gradients of `inputs` that require them.
    let backward: (_ output: Tensor) -> Void

    init(name: String, inputs: [Tensor], backward: @escaping (_ output: Tensor) -> Void) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

/// Control of gradient recording (the define-by-run tape).
public enum Autograd {
    @TaskLocal static var isRecording = true

    /// Whether ops currently record their backward functions.
    public static var isEnabled: Bool { isRecording }

    /// Runs `body` in inference mode: no op records anything, so no graph is kept alive.
    public static func inference<R>(_ body: () throws -> R) rethrows -> R {
        try $isRecording.withValue(false, operation: body)
    }
}

extension Tensor {
    /// Wraps an op's freshly computed result, attaching `backward` when recording and some
    /// input requires a gradient.
    static func result(
        _ output: Tensor, op name: String, inputs: [Tensor],
        backward: @escaping (_ output: Tensor) -> Void
    ) -> Tensor {
        if Autograd.isRecording && inputs.contains(where: { $0.requiresGrad }) {
            output.requiresGrad = true
            output.gradFunction = GradFunction(name: name, inputs: inputs, backward: backward)
        }
        return output
    }

    /// Whether this tensor is a leaf of the graph (a parameter or an input).
    public var isLeaf: Bool { gradFunction == nil }

    /// Back-propagates from this tensor, seeding its gradient with `seed` in every element
    /// (a one-element tensor is the usual case: a loss).
    ///
    /// Gradients accumulate into ``grad`` (or ``rowGrad``) of every leaf that requires one;
    /// the recorded graph is released afterwards, as are the gradients of intermediate results.
    ///
    /// `onLeafGradientReady`, when given, is called for each leaf of the graph as soon as every
    /// op reading it has passed its gradient down — its gradient is then final for this pass —
    /// while the ops further down are still to run: a data-parallel step starts summing the
    /// early-finished gradients across processes before the backward pass ends.
    public func backward(seed: Float = 1, onLeafGradientReady: ((Tensor) -> Void)? = nil) {
        precondition(requiresGrad, "backward() on a tensor that does not require a gradient")
        var order = topologicalOrder()
        var pendingReaders = onLeafGradientReady == nil ? [:] : Self.leafReaderCounts(order)
        gradBuffer().update(repeating: seed, count: count)
        // Popping each node lets its output, and the inputs only it kept, go as soon as its
        // gradient has been passed down, rather than all at the end.
        while let node = order.popLast() {
            guard let fn = node.gradFunction else { continue }
            node.gradFunction = nil
            if node.grad != nil { fn.backward(node) }
            node.grad = nil
            guard let onLeafGradientReady else { continue }
            for leaf in Self.distinctLeaves(of: fn) {
                let id = ObjectIdentifier(leaf)
                pendingReaders[id]! -= 1
                if pendingReaders[id] == 0 { onLeafGradientReady(leaf) }
            }
        }
    }

    /// For every leaf requiring a gradient in `order`, the number of ops reading it.
    private static func leafReaderCounts(_ order: [Tensor]) -> [ObjectIdentifier: Int] {
        var counts: [ObjectIdentifier: Int] = [:]
        for node in order {
            guard let fn = node.gradFunction else { continue }
            for leaf in distinctLeaves(of: fn) { counts[ObjectIdentifier(leaf), default: 0] += 1 }
        }
        return counts
    }

    /// The inputs of `fn` that are leaves requiring a gradient, each once.
    private static func distinctLeaves(of fn: GradFunction) -> [Tensor] {
        var leaves: [Tensor] = []
        for input in fn.inputs where input.requiresGrad && input.isLeaf && !leaves.contains(where: { $0 === input }) {
            leaves.append(input)
        }
        return leaves
    }

    /// The tensors of the graph below `self`, each after all of its inputs.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            let inputs = node.gradFunction?.inputs ?? []
            if next < inputs.count {
                stack.append((node, next + 1))
                let child = inputs[next]
                if child.requiresGrad && visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }
}
