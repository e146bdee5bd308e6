"""Sender-information disclosure (発信者情報開示, Art. 5-8, 15, 16): voluntary requests, court orders (開示命令, 提供命令, 消去禁止命令), the opinion hearing and disclosure packages (issue 12)."""
