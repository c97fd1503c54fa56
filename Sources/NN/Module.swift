import Tensor

/// A building block of a model whose parameters and sub-modules are found by reflection.
///
/// Subclass `Module` and store tensors and modules in properties; no registration is needed:
///
/// ```swift
/// final class Tower: Module {
///     let hidden: Linear
///     let heads: [Linear]
///     init(generator: inout RandomGenerator) {
///         hidden = Linear(inputSize: 8, outputSize: 4, generator: &generator)
///         heads = (0..<2).map { _ in Linear(inputSize: 4, outputSize: 1, generator: &generator) }
///     }
/// }
/// // Tower(generator: &generator).parameters() names:
/// //   hidden.weight, hidden.bias, heads.0.weight, heads.0.bias, heads.1.weight, heads.1.bias
/// ```
///
/// Stored properties are visited in declaration order, superclass properties first. A `Tensor`
/// whose `requiresGrad` is true is a parameter; a tensor that does not require a gradient is a
/// constant and is skipped. A `Module` is a child: its members are named `child.member`.
/// Optionals are looked through, the elements of arrays are named by their index
/// (`heads.0.weight`), and the values of dictionaries by their key, keys in sorted order.
/// A module or tensor reachable along several paths is listed once, under its first path.
open class Module {
    /// Whether the module behaves as in training (dropout active, …) rather than in evaluation.
    /// Set for a whole tree by ``train(_:)`` and ``eval()``.
    public private(set) var isTraining = true

    /// Creates a module in training mode.
    public init() {}

    /// The trainable tensors of this module and all modules below it, named by their property
    /// paths, in a stable order (see ``Module``).
    public func parameters() -> [(name: String, tensor: Tensor)] {
        var found: [(name: String, tensor: Tensor)] = []
        var seenTensors = Set<ObjectIdentifier>()
        var seenModules: Set = [ObjectIdentifier(self)]
        visitMembers(prefix: "", seenModules: &seenModules) { path, member in
            if case .tensor(let tensor) = member, tensor.requiresGrad,
               seenTensors.insert(ObjectIdentifier(tensor)).inserted {
                found.append((path, tensor))
            }
        }
        return found
    }

    /// The tensors of this module and all modules below it that are state but not trained
    /// (running statistics, for example): tensors whose `requiresGrad` is false. They are
    /// named and ordered as ``parameters()`` and saved with them.
    public func buffers() -> [(name: String, tensor: Tensor)] {
        var found: [(name: String, tensor: Tensor)] = []
        var seenTensors = Set<ObjectIdentifier>()
        var seenModules: Set = [ObjectIdentifier(self)]
        visitMembers(prefix: "", seenModules: &seenModules) { path, member in
            if case .tensor(let tensor) = member, !tensor.requiresGrad,
               seenTensors.insert(ObjectIdentifier(tensor)).inserted {
                found.append((path, tensor))
            }
        }
        return found
    }

    /// This module (named `""`) followed by every module below it, depth first in property order.
    public func modules() -> [(name: String, module: Module)] {
        var found: [(name: String, module: Module)] = [("", self)]
        var seenModules: Set = [ObjectIdentifier(self)]
        visitMembers(prefix: "", seenModules: &seenModules) { path, member in
            if case .module(let module) = member { found.append((path, module)) }
        }
        return found
    }

    /// The number of trainable scalars.
    public var parameterCount: Int {
        parameters().reduce(0) { $0 + $1.tensor.count }
    }

    /// Drops the accumulated gradients of every parameter.
    public func zeroGrad() {
        for (_, tensor) in parameters() { tensor.zeroGrad() }
    }

    /// Puts this module and every module below it in training mode (`true`) or evaluation mode.
    public func train(_ isTraining: Bool = true) {
        for (_, module) in modules() { module.isTraining = isTraining }
    }

    /// Puts this module and every module below it in evaluation mode.
    public func eval() {
        train(false)
    }
}

/// A tensor or module found in a stored property.
private enum Member {
    case tensor(Tensor)
    case module(Module)
}

extension Module {
    /// Calls `visit` for every tensor and module reachable from this module's stored properties,
    /// depth first, descending into each module not in `seenModules` (which it then joins).
    private func visitMembers(
        prefix: String, seenModules: inout Set<ObjectIdentifier>, _ visit: (String, Member) -> Void
    ) {
        var mirrors = [Mirror(reflecting: self)]
        while let parent = mirrors.last!.superclassMirror { mirrors.append(parent) }
        for mirror in mirrors.reversed() {
            for case let (label?, value) in mirror.children {
                Self.visitValue(value, path: Self.join(prefix, label), seenModules: &seenModules, visit)
            }
        }
    }

    /// Visits `value` when it is a tensor or a module, and the elements of optionals, arrays and
    /// dictionaries; any other value holds no parameters.
    private static func visitValue(
        _ value: Any, path: String, seenModules: inout Set<ObjectIdentifier>, _ visit: (String, Member) -> Void
    ) {
        switch value {
        case let tensor as Tensor:
            visit(path, .tensor(tensor))
        case let module as Module:
            guard seenModules.insert(ObjectIdentifier(module)).inserted else { return }
            visit(path, .module(module))
            module.visitMembers(prefix: path, seenModules: &seenModules, visit)
        default:
            for (name, element) in containedValues(of: value) {
                visitValue(element, path: join(path, name), seenModules: &seenModules, visit)
            }
        }
    }

    /// The elements of an optional (named `""`), array (named by index) or dictionary (named by
    /// key, in sorted order) that may hold parameters; nothing for any other value.
    ///
    /// A container is looked into only when its first element is a tensor, a module or another
    /// container, so that arrays of plain numbers are not walked element by element.
    private static func containedValues(of value: Any) -> [(name: String, value: Any)] {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return mirror.children.first.map { [("", $0.value)] } ?? []
        case .collection:
            guard let first = mirror.children.first, mayHoldParameters(first.value) else { return [] }
            return mirror.children.enumerated().map { (String($0.offset), $0.element.value) }
        case .dictionary:
            let pairs = mirror.children.map { Array(Mirror(reflecting: $0.value).children) }
            guard let first = pairs.first, mayHoldParameters(first[1].value) else { return [] }
            return pairs.map { ("\($0[0].value)", $0[1].value) }.sorted { $0.name < $1.name }
        default:
            return []
        }
    }

    /// Whether `value` is a tensor, a module, or a container that may hold them.
    private static func mayHoldParameters(_ value: Any) -> Bool {
        if value is Tensor || value is Module { return true }
        switch Mirror(reflecting: value).displayStyle {
        case .optional, .collection, .dictionary: return true
        default: return false
        }
    }

    /// `prefix.name`, or whichever of the two is not empty.
    private static func join(_ prefix: String, _ name: String) -> String {
        if prefix.isEmpty { return name }
        if name.isEmpty { return prefix }
        return prefix + "." + name
    }
}
