import Foundation
import RecData

/// The body of `POST /v1/score`: `{"instances": [{"<feature>": value, …}, …]}`, each value
/// a string, a number, a list (a sequence, oldest first) or null.
struct ScoreRequest: Decodable {
    /// The instances, feature name → raw value.
    var instances: [[String: RawValue]]

    /// The instances of a request body, or an error saying what is wrong and where: a body
    /// that is not the expected JSON is a 400, a value of the wrong type a 422 naming the
    /// instance and the feature.
    static func instances(in body: Data) throws(ServingError) -> [[String: RawValue]] {
        do {
            return try JSONDecoder().decode(ScoreRequest.self, from: body).instances
        } catch let error as DecodingError {
            throw describe(error)
        } catch {
            throw .badRequest("malformed JSON: \(error)")
        }
    }

    private static let expected = #"expected a JSON object {"instances": [{"<feature>": value, …}, …]}"#

    private static func describe(_ error: DecodingError) -> ServingError {
        let path: [any CodingKey]
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let reason = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return .badRequest("malformed JSON: \(reason ?? context.debugDescription)")
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            path = context.codingPath
        case .keyNotFound:
            return .badRequest(expected)
        @unknown default:
            return .badRequest("\(error)")
        }
        switch path.count {
        case 0: return .badRequest(expected)
        case 1: return .badRequest("'instances' must be a list of objects")
        case 2: return .invalidInstance("instance \(path[1].intValue ?? 0): expected an object of feature values")
        default:
            return .invalidInstance(
                "instance \(path[1].intValue ?? 0): feature '\(path[2].stringValue)': expected a string, a finite number, a list of them or null")
        }
    }
}
