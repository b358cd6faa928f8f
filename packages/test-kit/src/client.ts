import { randomUUID } from "node:crypto";
import { contract } from "@todo/contract";
import { type ApiFetcher, initClient, tsRestFetchApi } from "@ts-rest/core";

/** The password of every account the kit signs up. */
export const TEST_PASSWORD = "correct horse battery";

export interface ContractClientOptions {
  /** An access token, sent as `Authorization: Bearer`. */
  token?: string;
  /** Extra headers on every call (e.g. `x-forwarded-for`). */
  headers?: Record<string, string>;
  /** Replaces the fetcher: the in-process app routes calls through its contract-checking `request`. */
  api?: ApiFetcher;
}

/**
 * A typed client of the whole contract (`client.auth.register(…)`, `client.tasks.create(…)`): each call's
 * response is a union over the statuses the contract declares. For tests that check the API itself: no token
 * store, no renewal (that is @todo/client's job, tested in its own package).
 */
export function contractClient(baseUrl: string, options: ContractClientOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return initClient(contract, { baseUrl, baseHeaders: headers, api: options.api ?? tsRestFetchApi });
}

export type ContractClient = ReturnType<typeof contractClient>;

/** A fresh address per call, so tests never meet each other's accounts. */
export const newEmail = (who = "user"): string => `${who}-${randomUUID()}@example.com`;

export interface RegisteredUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** The contract client, signed in as this user. */
  client: ContractClient;
}

/** Registers a new account through the contract (POST /auth/register) and returns it with a signed-in client. */
export async function registerUser(
  baseUrl: string,
  options: { email?: string; password?: string; headers?: Record<string, string>; api?: ApiFetcher } = {},
): Promise<RegisteredUser> {
  const email = options.email ?? newEmail();
  const password = options.password ?? TEST_PASSWORD;
  const common = { ...(options.headers && { headers: options.headers }), ...(options.api && { api: options.api }) };
  const res = await contractClient(baseUrl, common).auth.register({ body: { email, password } });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  const { user, accessToken, refreshToken } = res.body;
  return {
    id: user.id,
    email,
    password,
    accessToken,
    refreshToken,
    client: contractClient(baseUrl, { ...common, token: accessToken }),
  };
}
