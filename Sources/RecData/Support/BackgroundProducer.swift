import Dispatch
import Synchronization

/// Runs a producer on its own thread and hands what it makes to the caller through a queue of at
/// most `depth` items, so that producing the next items overlaps consuming the last ones.
///
/// The producer gets an `emit` function, which blocks while the queue is full and returns false once
/// the consumer has cancelled (the producer should then return). An error the producer throws is
/// thrown by ``next()`` after the items made before it. A consumer that stops before the end calls
/// ``cancel()``, which also releases the producer's thread.
///
/// ```swift
/// let numbers = BackgroundProducer<Int>(depth: 2) { emit in
///     for n in 0..<10 where !emit(n * n) { return }
/// }
/// while let square = try numbers.next() { print(square) }
/// ```
final class BackgroundProducer<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var finished = false
        var failure: (any Error)?
        var cancelled = false
    }

    private let state = Mutex(State())
    private let freeSlots: DispatchSemaphore
    private let available = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    /// Starts `produce` on a background thread.
    init(depth: Int, produce: @escaping @Sendable (_ emit: (Item) -> Bool) throws -> Void) {
        precondition(depth >= 1, "a queue of \(depth) items")
        // Created empty and raised, so that a queue dropped with items in it is not taken for a
        // semaphore dropped while in use.
        freeSlots = DispatchSemaphore(value: 0)
        for _ in 0..<depth { freeSlots.signal() }
        DispatchQueue.global().async { [self] in
            var failure: (any Error)?
            do { try produce(emit) } catch { failure = error }
            state.withLock {
                $0.finished = true
                $0.failure = failure
            }
            available.signal()
            done.signal()
        }
    }

    /// The next item, or nil once the producer has returned; throws what the producer threw.
    func next() throws -> Item? {
        available.wait()
        let (item, failure): (Item?, (any Error)?) = state.withLock { state in
            if !state.items.isEmpty { return (state.items.removeFirst(), nil) }
            defer { state.failure = nil }
            return (nil, state.failure)
        }
        guard let item else {
            available.signal()
            if let failure { throw failure }
            return nil
        }
        freeSlots.signal()
        return item
    }

    /// Stops the producer at its next `emit` and waits until it has returned (at once if it has).
    func cancel() {
        let finished = state.withLock { state in
            state.cancelled = true
            return state.finished
        }
        if finished { return }
        freeSlots.signal()
        done.wait()
        done.signal()
    }

    private func emit(_ item: Item) -> Bool {
        freeSlots.wait()
        return state.withLock { state in
            if state.cancelled {
                return false
            }
            state.items.append(item)
            available.signal()
            return true
        }
    }
}
