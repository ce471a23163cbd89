/// Record ids published recently, so the same article dropped twice (under any name) is
/// published once. Bounded: the oldest ids are forgotten first.
struct RecentRecords {
    let capacity: Int
    private var ids: Set<String> = []
    private var order: [String] = []
    private var oldest = 0

    init(capacity: Int) { self.capacity = capacity }

    /// Records `id`; returns false if it was already there.
    mutating func insert(_ id: String) -> Bool {
        guard ids.insert(id).inserted else { return false }
        if order.count < capacity {
            order.append(id)
        } else {
            ids.remove(order[oldest])
            order[oldest] = id
            oldest = (oldest + 1) % capacity
        }
        return true
    }
}
