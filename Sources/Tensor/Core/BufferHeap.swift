import Foundation
import Synchronization

/// Where the large tensor buffers live: one stretch of reserved address space, handed out
/// lowest address first, with a freed block merged into the free blocks beside it.
///
/// A training step allocates and frees the same sizes in the same order every step. glibc's
/// malloc places them by size class and, under that pattern, spreads them until its heap
/// spans 1.6–1.8 times the bytes live at once (large PLE training: 77.9 MB for 48.6 MB);
/// taken lowest address first, each step's buffers settle into the same places and the
/// stretch in use stays near the live peak (51.6 MB for 48.4 MB there). Freed blocks keep
/// their pages, so the next step reuses them without a page fault: the reserved space
/// becomes memory only as far as it has ever been used at once.
///
/// Buffers smaller than ``smallestSize`` and any that do not fit the reservation come from
/// malloc. (Unchecked sendable: the reservation never changes, and the blocks are behind a
/// lock.)
final class BufferHeap: @unchecked Sendable {
    /// The heap for tensor storage, reserving as much address space as the machine has memory.
    static let shared = BufferHeap(reserving: Int(clamping: ProcessInfo.processInfo.physicalMemory))

    /// The smallest buffer, in bytes, worth a block of its own.
    static let smallestSize = 16 << 10

    /// The alignment of every block, in bytes.
    static let alignment = 64

    /// The reservation's first byte; nil when the system refused it.
    private let base: UnsafeMutableRawPointer?
    /// The reservation's size in bytes.
    private let capacity: Int

    /// The blocks, as byte offsets into the reservation.
    private struct Blocks {
        /// Free blocks below `top`, by address, none touching another or `top`.
        var free: [(offset: Int, size: Int)] = []
        /// The size of every block in use, by offset.
        var used: [Int: Int] = [:]
        /// Everything at and above this offset is free.
        var top = 0
    }

    private let blocks = Mutex(Blocks())

    /// Reserves `bytes` of address space (no memory until used).
    init(reserving bytes: Int) {
        let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        base = p == MAP_FAILED ? nil : p
        capacity = base == nil ? 0 : bytes
    }

    /// A block of at least `bytes` bytes, 64-byte aligned, or nil when the reservation has
    /// no room for it.
    func allocate(_ bytes: Int) -> UnsafeMutableRawPointer? {
        guard let base else { return nil }
        let size = (bytes + Self.alignment - 1) / Self.alignment * Self.alignment
        let capacity = capacity
        let offset: Int? = blocks.withLock { blocks in
            if let i = blocks.free.firstIndex(where: { $0.size >= size }) {
                let block = blocks.free[i]
                if block.size == size {
                    blocks.free.remove(at: i)
                } else {
                    blocks.free[i] = (block.offset + size, block.size - size)
                }
                blocks.used[block.offset] = size
                return block.offset
            }
            guard blocks.top + size <= capacity else { return nil }
            let offset = blocks.top
            blocks.top += size
            blocks.used[offset] = size
            return offset
        }
        return offset.map { base + $0 }
    }

    /// Frees `pointer` when it is one of this heap's blocks and returns true; returns false
    /// (touching nothing) for any other pointer.
    func deallocate(_ pointer: UnsafeMutableRawPointer) -> Bool {
        guard let base, owns(pointer) else { return false }
        blocks.withLock { blocks in
            var start = pointer - base
            guard var size = blocks.used.removeValue(forKey: start) else {
                preconditionFailure("freeing a block that is not in use")
            }
            // The first free block above this one.
            var i = partitionPoint(blocks.free) { $0.offset > start }
            if i < blocks.free.count, start + size == blocks.free[i].offset {
                size += blocks.free[i].size
                blocks.free.remove(at: i)
            }
            if i > 0, blocks.free[i - 1].offset + blocks.free[i - 1].size == start {
                i -= 1
                start = blocks.free[i].offset
                size += blocks.free[i].size
                blocks.free.remove(at: i)
            }
            if start + size == blocks.top {
                blocks.top = start
            } else {
                blocks.free.insert((start, size), at: i)
            }
        }
        return true
    }

    /// Whether `pointer` lies in this heap's reservation.
    func owns(_ pointer: UnsafeRawPointer) -> Bool {
        guard let base else { return false }
        return pointer >= UnsafeRawPointer(base) && pointer < UnsafeRawPointer(base + capacity)
    }

    /// The bytes below the highest block in use: how far the heap reaches now.
    var extent: Int { blocks.withLock { $0.top } }
}

/// The first index of `elements` (partitioned: false before true) at which `isAbove` holds.
private func partitionPoint<T>(_ elements: [T], _ isAbove: (T) -> Bool) -> Int {
    var (low, high) = (0, elements.count)
    while low < high {
        let middle = (low + high) / 2
        if isAbove(elements[middle]) { high = middle } else { low = middle + 1 }
    }
    return low
}
