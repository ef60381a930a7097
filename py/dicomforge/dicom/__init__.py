"""DICOM Part 10 files below the capabilities: scanning, encoding elements, describing, decoding pixels.

- :mod:`.tags`: the tag numbers the byte-level code reads and writes;
- :mod:`.scan`: where the top-level elements of a file are, without pydicom parsing;
- :mod:`.encode`: elements and values as bytes (the splicing writers use it);
- :mod:`.describe`: the short summary the page lists for a file;
- :mod:`.pixels` and :mod:`.rle`: one frame of stored values.
"""
