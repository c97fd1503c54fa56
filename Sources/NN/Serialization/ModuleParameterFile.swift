import Foundation

/// Saving and loading a module's parameters.
extension Module {
    /// The ``TensorFile/contentKey`` value of a parameter file.
    private static var parameterContent: String { "parameters" }

    /// Writes every parameter and buffer (``buffers()``), by name, to a tensor file at `url` (atomically).
    public func saveParameters(to url: URL) throws {
        try TensorFile.write(parameters() + buffers(), metadata: [TensorFile.contentKey: Self.parameterContent], to: url)
    }

    /// Overwrites every parameter and buffer with the values saved at `url`.
    ///
    /// - Throws: ``TensorFileError`` when the file is unreadable or corrupt, holds something other
    ///   than parameters, lacks a parameter, has one the module does not, or stores a parameter
    ///   with another shape. On error no parameter is changed.
    public func loadParameters(from url: URL) throws {
        let file = try TensorFile(contentsOf: url)
        try file.checkMetadata(TensorFile.contentKey, is: Self.parameterContent)
        try file.restore(parameters() + buffers())
    }
}
