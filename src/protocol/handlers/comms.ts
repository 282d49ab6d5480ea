// The comm messages from a frontend: comm_open for a target the interpreter accepts stays open
// (any other is answered with comm_close), comm_close forgets the comm, comm_msg to an open
// comm is logged and ignored (the kernel only sends on its comms), and comm_info_request
// lists the open comms, of one target when asked.
import type { CommRegistry } from '../comms.js';
import type { Interpreter } from '../interpreter.js';
import * as r from '../replies.js';
import type { Handler } from '../request.js';

export interface CommDeps {
  interpreter: Interpreter;
  comms: CommRegistry;
}

/** comm_info_request. */
export function commInfoHandler(comms: CommRegistry): Handler<'comm_info_request'> {
  return (req) => req.reply(r.commInfoReply(comms.list(req.content.target_name ?? undefined)));
}

/** comm_open: kept for a known target, closed at once for any other. */
export function commOpenHandler({ interpreter, comms }: CommDeps): Handler<'comm_open'> {
  return async (req) => {
    const { comm_id: id, target_name: target } = req.content;
    if (interpreter.commTargets?.includes(target)) {
      comms.open(id, target);
      req.log.info({ comm_id: id, target }, 'comm opened');
      return;
    }
    req.log.info({ comm_id: id, target }, 'comm_open for an unknown target: closing it');
    req.publish('comm_close', r.commCloseContent(id));
  };
}

/** comm_close: forgets the comm. */
export function commCloseHandler(comms: CommRegistry): Handler<'comm_close'> {
  return async (req) => {
    const known = comms.close(req.content.comm_id);
    req.log.debug({ comm_id: req.content.comm_id, known }, 'comm closed by the frontend');
  };
}

/** comm_msg: nothing listens for messages from the frontend; logged and ignored. */
export function commMsgHandler(comms: CommRegistry): Handler<'comm_msg'> {
  return async (req) => {
    const id = req.content.comm_id;
    req.log.debug({ comm_id: id, open: comms.has(id) }, 'comm_msg from the frontend: ignored');
  };
}
