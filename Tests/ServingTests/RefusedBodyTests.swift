import Foundation
import Glibc
import Serving
import XCTest

/// A client that sends an oversized body and hangs up gets its connection closed by the
/// server right away, not held (socket and buffered bytes) until the idle timeout.
final class RefusedBodyTests: XCTestCase {
    /// The descriptors this process has open.
    private static func openDescriptors() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
    }

    /// Sends `POST /v1/score` with `Connection: close` and a `bodyBytes` body to `port`, reads
    /// the answer to its end, and closes; returns the protocol and status of the answer.
    private static func refusedRequest(port: Int, bodyBytes: Int) throws -> String {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(socket, 0)
        defer { close(socket) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        let head = "POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(bodyBytes)\r\nConnection: close\r\n\r\n"
        let message = Array(head.utf8) + Array(repeating: UInt8(ascii: "x"), count: bodyBytes)
        var sent = 0
        while sent < message.count {
            let n = message[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server may answer and stop reading first
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[..<n]
        }
        return String(decoding: answer.prefix(12), as: UTF8.self)
    }

    func testConnectionsOfRefusedBodiesAreClosedOnceTheClientHangsUp() async throws {
        let statuses = try await withServer(ServingFixtures.shop, configure: { $0.maxBodyBytes = 4096 }) { client, _ in
            let port = try XCTUnwrap(client.port)
            let before = try Self.openDescriptors()
            var statuses: [String] = []
            for _ in 0..<20 { statuses.append(try Self.refusedRequest(port: port, bodyBytes: 1 << 20)) }
            var after = try Self.openDescriptors()
            for _ in 0..<50 where after > before + 5 {
                try await Task.sleep(for: .milliseconds(100))
                after = try Self.openDescriptors()
            }
            XCTAssertLessThanOrEqual(after, before + 5, "connections of refused requests are still open 5 s after the clients left")
            return statuses
        }
        XCTAssertEqual(statuses, Array(repeating: "HTTP/1.1 413", count: 20))
    }
}
