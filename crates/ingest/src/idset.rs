//! The ids of one table that are stored or accepted in this run, each with its content
//! fingerprint: the duplicate and conflict check of every row.
//!
//! Stored ids are keyed hashes, so they are spread evenly: an open-addressing table indexed by
//! the id's bits, probed linearly, at most three quarters full, sized to the rows expected (not
//! to a power of two: 16 bytes and a third per id), in huge pages where the kernel offers them (a
//! row's check is one memory access, and the caller prefetches it a few rows ahead).

/// A free slot. The id 0 itself is kept aside.
const FREE: u64 = 0;

pub(crate) struct IdSet {
    /// `[id, fingerprint]`; `id == FREE` is a free slot.
    slots: Vec<[u64; 2]>,
    len: usize,
    /// The fingerprint of the id 0, if it is in the set.
    zero: Option<u64>,
}

impl IdSet {
    pub fn with_capacity(n: usize) -> IdSet {
        IdSet {
            slots: table(capacity(n)),
            len: 0,
            zero: None,
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len + usize::from(self.zero.is_some())
    }

    fn home(&self, id: u64) -> usize {
        // Keyed hashes are uniform; the multiplication guards against ids that are not. The
        // product's high half maps it onto the table's length.
        let h = id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((u128::from(h) * self.slots.len() as u128) >> 64) as usize
    }

    fn next(&self, i: usize) -> usize {
        if i + 1 == self.slots.len() {
            0
        } else {
            i + 1
        }
    }

    /// Start loading the slot of `id` into the cache.
    pub fn prefetch(&self, id: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let p = self.slots.as_ptr().wrapping_add(self.home(id)) as *const i8;
            // SAFETY: a prefetch is a hint and never faults, whatever the address.
            unsafe { std::arch::x86_64::_mm_prefetch(p, std::arch::x86_64::_MM_HINT_T0) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = id;
    }

    /// [`IdSet::get`], after starting to load the slot of the id looked up next (`ahead`).
    pub fn get_prefetching(&self, id: u64, ahead: Option<u64>) -> Option<u64> {
        if let Some(a) = ahead {
            self.prefetch(a);
        }
        self.get(id)
    }

    /// The fingerprint of `id`, if it is in the set.
    pub fn get(&self, id: u64) -> Option<u64> {
        if id == FREE {
            return self.zero;
        }
        let mut i = self.home(id);
        loop {
            let [k, v] = self.slots[i];
            if k == id {
                return Some(v);
            }
            if k == FREE {
                return None;
            }
            i = self.next(i);
        }
    }

    /// Add an id that is not in the set.
    pub fn insert_new(&mut self, id: u64, fingerprint: u64) {
        if id == FREE {
            self.zero = Some(fingerprint);
            return;
        }
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow(self.len + 1);
        }
        self.put(id, fingerprint);
        self.len += 1;
    }

    /// Make room for `n` more ids.
    pub fn reserve(&mut self, n: usize) {
        if (self.len + n) * 4 > self.slots.len() * 3 {
            self.grow(self.len + n);
        }
    }

    fn put(&mut self, id: u64, fingerprint: u64) {
        let mut i = self.home(id);
        while self.slots[i][0] != FREE {
            i = self.next(i);
        }
        self.slots[i] = [id, fingerprint];
    }

    /// Room for `n` ids: a table sized for them, or half as large again as now.
    fn grow(&mut self, n: usize) {
        let bigger = table(capacity(n).max(self.slots.len() * 3 / 2));
        let old = std::mem::replace(&mut self.slots, bigger);
        for [k, v] in old {
            if k != FREE {
                self.put(k, v);
            }
        }
    }
}

impl FromIterator<(u64, u64)> for IdSet {
    fn from_iter<I: IntoIterator<Item = (u64, u64)>>(it: I) -> IdSet {
        let it = it.into_iter();
        let mut s = IdSet::with_capacity(it.size_hint().0);
        for (k, v) in it {
            if s.get(k).is_none() {
                s.insert_new(k, v);
            }
        }
        s
    }
}

/// Slots for `n` ids, three quarters full.
fn capacity(n: usize) -> usize {
    n.max(12) * 4 / 3 + 1
}

/// A zeroed table of `n` slots, in huge pages where the kernel allows (fewer TLB misses on a
/// table of hundreds of MB).
fn table(n: usize) -> Vec<[u64; 2]> {
    let v = vec![[FREE; 2]; n];
    #[cfg(target_os = "linux")]
    {
        let bytes = n * 16;
        if bytes >= 4 << 20 {
            let start = v.as_ptr() as usize;
            let aligned = (start + 4095) & !4095;
            let len = (start + bytes).saturating_sub(aligned) & !4095;
            // SAFETY: advice on memory this vector owns; the kernel may ignore it.
            unsafe {
                libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_added_and_nothing_else_across_growth() {
        let mut s = IdSet::with_capacity(1);
        let ids: Vec<u64> = (0..50_000u64)
            .map(|i| i.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ (i << 7))
            .collect();
        for (n, &id) in ids.iter().enumerate() {
            assert_eq!(s.get(id), None);
            s.insert_new(id, n as u64);
        }
        assert_eq!(s.len(), ids.len());
        for (n, &id) in ids.iter().enumerate() {
            assert_eq!(s.get(id), Some(n as u64));
        }
        assert_eq!(s.get(12345), None);
        s.insert_new(0, 9);
        assert_eq!(s.get(0), Some(9));
        // Ids that share their low and high bits still all fit.
        let mut t = IdSet::with_capacity(4);
        for i in 1..5000u64 {
            t.insert_new(i << 40, i);
        }
        assert!((1..5000u64).all(|i| t.get(i << 40) == Some(i)));
    }
}
