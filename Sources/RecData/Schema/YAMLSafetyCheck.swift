import Yams

/// The checks a composed YAML document passes before any value is constructed from it, for
/// two inputs on which Yams itself would trap or never finish:
///
/// - a base-60 integer (`1:0:0:0:0:0:0:0:0:0:0`, YAML 1.1's sexagesimal form) too large for 64
///   bits, whose construction overflows inside Yams;
/// - aliases nested so that the document expands into more than ``maximumValueCount`` values
///   (a few lines can expand into billions).
///
/// Schemas and run configurations are a few hundred values at most, so the bound never
/// refuses a real file.
public enum YAMLSafetyCheck {
    /// The most values (scalars, lists and mappings) a document may hold once its aliases are
    /// expanded.
    public static let maximumValueCount = 100_000

    /// The first reason `root` cannot be read safely, as "line:column: what", or nil.
    public static func problem(in root: Node) -> String? {
        var pending = [root]
        var count = 0
        while let node = pending.popLast() {
            count += 1
            guard count <= maximumValueCount else {
                return "\(location(of: node))more than \(maximumValueCount) values once aliases are expanded"
            }
            switch node {
            case let .scalar(scalar):
                if overflowsAsBase60Integer(scalar) {
                    return "\(location(of: node))'\(scalar.string)' is a base-60 integer too large for 64 bits"
                }
            case let .sequence(sequence):
                pending.append(contentsOf: sequence)
            case let .mapping(mapping):
                for (key, value) in mapping {
                    pending.append(key)
                    pending.append(value)
                }
            case .alias:
                break
            }
        }
        return nil
    }

    /// "line:column: " of a node, or "" when the parser gave no position.
    public static func location(of node: Node) -> String {
        node.mark.map { "\($0.line):\($0.column): " } ?? ""
    }

    /// Whether Yams would read the plain scalar as a base-60 integer whose value, or the
    /// running power of 60 it multiplies the parts by, leaves the 64-bit range.
    static func overflowsAsBase60Integer(_ scalar: Node.Scalar) -> Bool {
        guard scalar.style == .any || scalar.style == .plain, scalar.string.contains(":") else { return false }
        var text = Substring(scalar.string.replacingOccurrences(of: "_", with: ""))
        if text.first == "-" || text.first == "+" { text = text.dropFirst() }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0, radix: 10) }
        guard !parts.contains(nil) else { return false }
        var base = 1, value = 0
        for part in parts.reversed() {
            let (term, termOverflow) = part!.multipliedReportingOverflow(by: base)
            let (sum, sumOverflow) = value.addingReportingOverflow(term)
            let (next, baseOverflow) = base.multipliedReportingOverflow(by: 60)
            if termOverflow || sumOverflow || baseOverflow { return true }
            value = sum
            base = next
        }
        return false
    }
}
