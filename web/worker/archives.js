// Zip archives among the dropped files, opened in the worker (dicomforge.archives decides what
// is refused and why, for every host): Python lists an archive through reads of ranges of the
// File (FileReaderSync: synchronous, in this worker), so only its central directory is read;
// a stored entry becomes a slice of the File (read when a job needs it), a deflated one is
// inflated by Python (CRC checked, never past its declared size), one entry at a time, into a Blob.

/** Whether an input is opened as an archive (a Zarr zip store is a volume: dicomforge.archives.STORE_ENDING); the client asks too. */
export const isArchive = ({ name, data }) => data instanceof Blob && /\.zip$/i.test(name) && !/\.zarr\.zip$/i.test(name);

/**
 * The entries of the archive *input* as inputs (`{name, data: Blob}`), and an error per
 * refused or damaged entry (or one for the archive).
 * @param {{python: import("./stages.js").PythonEntryPoints}} runtime
 * @param {{name: string, data: Blob}} input
 * @param {number} budget  bytes the entries may inflate to, in all
 * @param {(done: number, total: number) => void} [onEntry]
 * @returns {{files: Array<{name: string, data: Blob}>, errors: import("./contract.js").ProtocolError[]}}
 */
export function openArchive({ python }, { name, data }, budget, onEntry = () => {}) {
  const sync = new FileReaderSync();
  const readInto = (start, view) => {
    const target = view.getBuffer("u8");
    try {
      const bytes = new Uint8Array(sync.readAsArrayBuffer(data.slice(start, start + target.data.length)));
      target.data.set(bytes);
      return bytes.length;
    } finally {
      target.release();
    }
  };
  const archive = python.openArchive(data.size, readInto, name, budget);
  try {
    const listed = archive.listing();
    const listing = listed.toJs({ dict_converter: Object.fromEntries });
    listed.destroy();
    const files = [];
    const errors = [...listing.errors];
    listing.entries.forEach((entry, i) => {
      if (entry.stored) {
        files.push({ name: entry.name, data: data.slice(entry.offset, entry.offset + entry.length) });
      } else {
        const answer = archive.inflate(i);
        const [bytes, error] = answer.toJs({ dict_converter: Object.fromEntries });
        answer.destroy();
        if (error) errors.push(error);
        else files.push({ name: entry.name, data: new Blob([bytes]) });
      }
      onEntry(i + 1, listing.entries.length);
    });
    return { files, errors };
  } finally {
    archive.close();
    archive.destroy();
  }
}
