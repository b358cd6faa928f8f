"use client";

import { useEffect, useRef, useState } from "react";
import { deleteList } from "./actions";

/** "Delete list" asks once more, naming what goes with it: the list's tasks are deleted too. */
export function DeleteList({ id, name, taskCount }: { id: string; name: string; taskCount: number }) {
  const [confirming, setConfirming] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  // The question replaces the button that asked it: focus goes to its safe answer.
  useEffect(() => {
    if (confirming) cancel.current?.focus();
  }, [confirming]);
  if (!confirming) {
    return (
      <button type="button" className="quiet danger" onClick={() => setConfirming(true)}>
        Delete list
      </button>
    );
  }
  return (
    <form action={deleteList} className="confirm-delete" aria-label={`Delete list ${name}`}>
      <input type="hidden" name="listId" value={id} />
      <span>
        Delete “{name}”{taskCount > 0 ? ` and its ${taskCount === 1 ? "task" : `${taskCount} tasks`}` : ""}?
      </span>
      <button type="submit" className="danger-button">
        Delete
      </button>
      <button type="button" className="secondary" onClick={() => setConfirming(false)} ref={cancel}>
        Cancel
      </button>
    </form>
  );
}
