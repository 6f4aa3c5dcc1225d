/**
 * What the gateway knows of an account beyond its traffic: from an `accounts` file (formats.md),
 * the payment fingerprint and email domain (ban-evasion artifacts) and the analyst's trust mark
 * (trusted accounts are never matched to a campaign by their artifacts).
 */
import { FormatError, isTrusted, openRecords } from '../formats/index.js';
import { EnforceError } from './errors.js';

export interface AccountInfo {
  payment_fingerprint?: string;
  email_domain?: string;
  trusted: boolean;
}

export interface AccountsLoad {
  accounts: Map<string, AccountInfo>;
  /** Records rejected by the reader (counted, reported by the CLI, never fatal). */
  rejected: number;
}

/** Reads an accounts file (JSONL, CSV or Parquet, as `ingest` does). */
export async function loadAccounts(path: string): Promise<AccountsLoad> {
  const accounts = new Map<string, AccountInfo>();
  let rejected = 0;
  try {
    for await (const batch of openRecords(path, 'accounts')) {
      for (const a of batch.records) {
        const info: AccountInfo = { trusted: isTrusted(a.trust) };
        if (a.payment_fingerprint !== undefined) info.payment_fingerprint = a.payment_fingerprint;
        if (a.email_domain !== undefined) info.email_domain = a.email_domain;
        accounts.set(a.account_id, info);
      }
      for (const i of batch.issues) if (i.action === 'rejected') rejected++;
    }
  } catch (e) {
    if (e instanceof FormatError) throw new EnforceError('bad_accounts_file', e.message, path);
    throw e;
  }
  return { accounts, rejected };
}
