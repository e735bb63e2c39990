//! Factor storage for the fit, backed by transparent huge pages where the system offers them.
//!
//! A half-sweep reads the fixed factors at random (one row per interaction). With 4 KiB pages
//! a matrix of tens of MB spans far more pages than the TLB holds, so nearly every row read
//! also walks the page tables, and those walks, not the arithmetic, bound the half-sweep. On
//! Linux, large buffers are anonymous mappings aligned to 2 MiB and advised `MADV_HUGEPAGE`
//! (what numpy does for its large arrays, so `implicit` gets it too); elsewhere, or when the
//! mapping fails, they are ordinary vectors. The contents never depend on the backing.

/// Buffers smaller than this stay on the heap: they fit the TLB's reach anyway.
#[cfg(target_os = "linux")]
const MIN_MAPPED_BYTES: usize = 4 << 20;

/// The huge page size the mappings are aligned to.
#[cfg(target_os = "linux")]
const HUGE_PAGE: usize = 2 << 20;

enum Storage {
    Heap(Vec<f32>),
    #[cfg(target_os = "linux")]
    Mapped {
        map: memmap2::MmapMut,
        /// Byte offset of the first element (2 MiB aligned).
        offset: usize,
    },
}

/// A zero-initialised `f32` buffer of fixed length.
pub(super) struct FactorBuffer {
    storage: Storage,
    // Read only by the mapped storage, which exists on Linux.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    len: usize,
}

impl FactorBuffer {
    /// `len` zeros.
    pub(super) fn zeroed(len: usize) -> Self {
        #[cfg(target_os = "linux")]
        if let Some(buffer) = Self::mapped(len) {
            return buffer;
        }
        FactorBuffer {
            storage: Storage::Heap(vec![0.0; len]),
            len,
        }
    }

    /// An anonymous mapping advised to use huge pages; `None` when too small or refused.
    #[cfg(target_os = "linux")]
    fn mapped(len: usize) -> Option<Self> {
        let bytes = len.checked_mul(std::mem::size_of::<f32>())?;
        if bytes < MIN_MAPPED_BYTES {
            return None;
        }
        let map = memmap2::MmapOptions::new()
            .len(bytes.checked_add(HUGE_PAGE)?)
            .map_anon()
            .ok()?;
        let address = map.as_ptr() as usize;
        let offset = (HUGE_PAGE - address % HUGE_PAGE) % HUGE_PAGE;
        // `cast_slice` needs 4-byte alignment, which page alignment gives; check rather than
        // trust it.
        bytemuck::try_cast_slice::<u8, f32>(&map[offset..offset + bytes]).ok()?;
        // Advice only: without huge pages the buffer is merely slower.
        let _ = map.advise_range(memmap2::Advice::HugePage, offset, bytes);
        Some(FactorBuffer {
            storage: Storage::Mapped { map, offset },
            len,
        })
    }

    /// The elements.
    pub(super) fn as_slice(&self) -> &[f32] {
        match &self.storage {
            Storage::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Storage::Mapped { map, offset } => {
                bytemuck::cast_slice(&map[*offset..*offset + self.len * 4])
            }
        }
    }

    /// The elements, writable.
    pub(super) fn as_mut_slice(&mut self) -> &mut [f32] {
        match &mut self.storage {
            Storage::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Storage::Mapped { map, offset } => {
                bytemuck::cast_slice_mut(&mut map[*offset..*offset + self.len * 4])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_large_buffers_hold_what_is_written() {
        for len in [0usize, 5, 3 << 20] {
            let mut buffer = FactorBuffer::zeroed(len);
            assert_eq!(buffer.as_slice().len(), len);
            assert!(buffer.as_slice().iter().all(|&v| v == 0.0));
            for (i, v) in buffer.as_mut_slice().iter_mut().enumerate() {
                *v = i as f32;
            }
            let vec = buffer.as_slice().to_vec();
            assert_eq!(vec.len(), len);
            assert!(vec.iter().enumerate().all(|(i, &v)| v == i as f32));
        }
    }
}
