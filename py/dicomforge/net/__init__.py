"""DICOM networking natively: DIMSE with pynetdicom (:mod:`.dimse`) and DICOMweb with the standard
library (:mod:`.dicomweb`, :mod:`.multipart`). Not imported by the jobs or in the browser, where
DICOMweb goes through the page's own ``fetch``."""
