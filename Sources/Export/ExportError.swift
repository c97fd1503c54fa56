/// Why a model could not be exported.
public enum ExportError: Error, CustomStringConvertible, Equatable {
    /// The model contains a part the ONNX emitters do not know.
    case unsupportedModule(String)
    /// The requested format is not one `dtrn export` writes.
    case unknownFormat(String, known: [String])

    public var description: String {
        switch self {
        case .unsupportedModule(let name): "cannot export '\(name)' to ONNX: no emitter for it"
        case .unknownFormat(let format, let known):
            "unknown export format '\(format)'; known formats: \(known.joined(separator: ", "))"
        }
    }
}
