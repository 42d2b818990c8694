// Drives the simulator with bigbluebutton-js, an independent BBB client
// library (sha1 checksums, Node's querystring encoding with %20, checksum
// appended as the last parameter, password-based join). Prints one JSON line.
'use strict'
const bbb = require('bigbluebutton-js')

const api = bbb.api(process.env.BBB_HOST, process.env.BBB_SECRET)
const id = 'js-lib-meeting'

async function main(cmd) {
  const out = {}
  if (cmd === 'create') {
    const first = await bbb.http(api.administration.create('Klasse 6a Deutsch', id, {
      record: false, welcome: 'Hallo Klasse 6a, heute: Märchen!', muteOnStart: true,
    }))
    const again = await bbb.http(api.administration.create('Klasse 6a Deutsch', id, { record: false }))
    out.create = { returncode: first.returncode, messageKey: first.messageKey || '' }
    out.again = { returncode: again.returncode, messageKey: again.messageKey }
    out.moderatorJoin = api.administration.join('Frau Özdemir', id, first.moderatorPW)
    out.viewerJoin = api.administration.join('Lena Weiß', id, first.attendeePW)
    out.wrongPasswordJoin = api.administration.join('Eindringling', id, 'not-a-password')
    out.moderatorPW = first.moderatorPW
  } else if (cmd === 'status') {
    const running = await bbb.http(api.monitoring.isMeetingRunning(id))
    const info = await bbb.http(api.monitoring.getMeetingInfo(id))
    const list = await bbb.http(api.monitoring.getMeetings())
    out.running = running.running
    out.participantCount = info.participantCount
    out.moderatorCount = info.moderatorCount
    out.meetings = list.meetings.length
  } else if (cmd === 'end') {
    const res = await bbb.http(api.administration.end(id, process.argv[3]))
    out.end = { returncode: res.returncode, messageKey: res.messageKey }
  }
  process.stdout.write(JSON.stringify(out) + '\n')
}

main(process.argv[2]).catch((e) => { console.error(String(e)); process.exit(1) })
