import type { Readable } from "node:stream";
import type {
  ChangePasswordBody,
  DeleteAccountBody,
  PasswordResetConfirmBody,
  PasswordResetRequestBody,
  SessionTokens,
  SignInList,
} from "@todo/contract";
import type { RequestOrigin } from "../auth/use-cases/deps.js";
import { changePassword } from "./change-password.js";
import { deleteAccount } from "./delete-account.js";
import type { AccountServiceDeps } from "./deps.js";
import { exportAccount } from "./export.js";
import { confirmPasswordReset, requestPasswordReset } from "./password-reset.js";
import { endOtherSignIns, endOwnSignIn, listSignIns } from "./sign-in-list.js";

export type { AccountLimits, AccountServiceDeps } from "./deps.js";

/** The signed-in caller: the user, and the sign-in its access token belongs to (none for external identities). */
export interface Caller {
  id: string;
  signInId: string | undefined;
}

/** Recovery and self-service of an account (one module per use case), bound to their dependencies. */
export interface AccountService {
  requestPasswordReset(body: PasswordResetRequestBody, origin: RequestOrigin): Promise<void>;
  confirmPasswordReset(body: PasswordResetConfirmBody, origin: RequestOrigin): Promise<SessionTokens>;
  changePassword(caller: Caller, body: ChangePasswordBody, origin: RequestOrigin): Promise<void>;
  listSignIns(caller: Caller): Promise<SignInList>;
  endSignIn(caller: Caller, signInId: string): Promise<void>;
  endOtherSignIns(caller: Caller): Promise<void>;
  deleteAccount(caller: Caller, body: DeleteAccountBody, origin: RequestOrigin): Promise<void>;
  exportAccount(caller: Caller): Promise<Readable>;
}

export function createAccountService(deps: AccountServiceDeps): AccountService {
  return {
    requestPasswordReset: (body, origin) => requestPasswordReset(deps, body, origin),
    confirmPasswordReset: (body, origin) => confirmPasswordReset(deps, body, origin),
    changePassword: (caller, body, origin) => changePassword(deps, caller, body, origin),
    listSignIns: (caller) => listSignIns(deps, caller.id, caller.signInId),
    endSignIn: (caller, signInId) => endOwnSignIn(deps, caller.id, signInId),
    endOtherSignIns: (caller) => endOtherSignIns(deps, caller.id, caller.signInId),
    deleteAccount: (caller, body, origin) => deleteAccount(deps, caller.id, body, origin),
    exportAccount: (caller) => exportAccount(deps.prisma, caller.id),
  };
}
