// The blob reader's worker (see blob-reader.js): reads each Blob it is sent into an
// ArrayBuffer and sends that back (transferred, not copied), or the read's error.
onmessage = async ({ data: { id, blob } }) => {
  try {
    const buffer = await blob.arrayBuffer();
    postMessage({ id, buffer }, [buffer]);
  } catch (error) {
    postMessage({ id, error: { name: error?.name ?? "Error", message: String(error?.message ?? error) } });
  }
};
