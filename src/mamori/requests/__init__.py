"""The removal-request window (情プラ法 Art. 22, 23): intake, receipt, the case and its legal clock."""
