const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` can be a UUID column's value: anything else is nobody's id (404), never a database error. */
export const isUuid = (value: string): boolean => UUID.test(value);
