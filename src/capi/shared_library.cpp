// libminternet.so is minternet_capi's archive, whole, behind exports.map; a
// library target needs a source of its own, and this is it.
